/** Side-by-side decode measurements of two tollama servers (bench/ab.ts, bench/threadpool.ts). */
import { num, preload, startTollama, stream, uniqueNonce, wordSoup, type ServerProc } from "./common.js";

export interface DecodeRates {
  /** eval_count / eval_duration, as the server reports it. */
  server: number;
  /** First token to the done chunk, on the client (as bench/engine times tollama). */
  client: number;
}

/** One streamed raw generation of `numPredict` tokens; `round` picks a fresh prompt and seed. */
export async function decodeRates(
  url: string,
  model: string,
  numPredict: number,
  round: number,
): Promise<DecodeRates> {
  const run = await stream(url, "/api/generate", {
    model,
    prompt: wordSoup(uniqueNonce(round), 12, 10 + round),
    raw: true,
    options: { num_predict: numPredict, seed: round },
  });
  const n = num(run.final, "eval_count");
  return {
    server: (n * 1e9) / num(run.final, "eval_duration"),
    client: ((n - 1) * 1000) / (run.tDone - run.tFirst),
  };
}

/**
 * `rounds` measurements of A and of B, alternating which goes first, so the VM's drift from minute
 * to minute moves both alike (compare them with pairedRatio).
 */
export async function interleaved<T>(
  rounds: number,
  a: (round: number) => Promise<T>,
  b: (round: number) => Promise<T>,
  onRound: (round: number) => void = () => {},
): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] };
  for (let r = 0; r < rounds; r++) {
    onRound(r);
    if (r % 2 === 0) {
      out.a.push(await a(r));
      out.b.push(await b(r));
    } else {
      out.b.push(await b(r));
      out.a.push(await a(r));
    }
  }
  return out;
}

/** One side of a side-by-side run. */
export interface ServerSide {
  env: Record<string, string>;
  /** The app folder to run (default: this checkout). */
  app?: string;
  /** How long it may take to answer (default 30 s). */
  startMs?: number;
}

/** Starts servers A and B, loads `model` on both, runs `measure`, and stops both whatever happens. */
export async function withTwoServers<T>(
  model: string,
  a: ServerSide,
  b: ServerSide,
  measure: (a: ServerProc, b: ServerProc) => Promise<T>,
): Promise<T> {
  const sa = await startTollama(a.env, [], a.startMs ?? 30_000, a.app);
  try {
    const sb = await startTollama(b.env, [], b.startMs ?? 30_000, b.app);
    try {
      await preload(sa.url, model);
      await preload(sb.url, model);
      return await measure(sa, sb);
    } finally {
      await sb.stop();
    }
  } finally {
    await sa.stop();
  }
}
