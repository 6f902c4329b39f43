/**
 * This build against another one (issue 8): a tollama server from this checkout (A) and one from
 * `--base DIR` (another checkout, or an unpacked build with bin/ and dist/), same store and
 * settings, streamed generations interleaved. Prints both servers' decode rates and the median
 * per-round A/B ratios, server- and client-timed. bench/gpu-kit runs it on a lent GPU.
 *
 *   npm run build && node bench/run.cjs ab --base DIR \
 *     [--models smollm,qwen-q8] [--reps 10] [--tg 256] [--threads N] [--gpu]
 *     [--env-a K=V,K=V] [--env-b K=V,K=V]
 *
 * `--base .` with `--env-a`/`--env-b` compares two settings of this build instead.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultThreads, fmt, log, median, pairedRatio, parseArgs, table } from "./lib/common.js";
import { decodeRates, interleaved, withTwoServers } from "./lib/ab.js";
import { storedModel } from "./engine.js";

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const base = args.values.get("base");
  if (!base || !existsSync(join(base, "bin", "tollama.cjs")))
    throw new Error("--base DIR must name a tollama build (DIR/bin/tollama.cjs)");
  const gpu = args.flags.has("gpu");
  const threads = Number(args.values.get("threads") ?? defaultThreads());
  const reps = Number(args.values.get("reps") ?? 10);
  const tg = Number(args.values.get("tg") ?? 256);
  const rows: string[][] = [];
  for (const key of (args.values.get("models") ?? "smollm,qwen-q8").split(",")) {
    const { spec, name, store } = await storedModel(key);
    // On the GPU each server picks its own thread count, as a user's does.
    const env: Record<string, string> = {
      OLLAMA_MODELS: store,
      ...(gpu ? {} : { OLLAMA_NUM_THREAD: String(threads), OLLAMA_LLM_LIBRARY: "cpu" }),
    };
    const envA = { ...env, ...envList(args.values.get("env-a")) };
    const envB = { ...env, ...envList(args.values.get("env-b")) };
    rows.push(
      await withTwoServers(
        name,
        { env: envA },
        { env: envB, app: resolve(base), startMs: 60_000 },
        async (a, b) => {
          const { a: ra, b: rb } = await interleaved(
            reps,
            (r) => decodeRates(a.url, name, tg, r),
            (r) => decodeRates(b.url, name, tg, r),
            (r) => log(`${key}: round ${r + 1}/${reps}`),
          );
          const server = (xs: typeof ra) => xs.map((x) => x.server);
          const client = (xs: typeof ra) => xs.map((x) => x.client);
          return [
            spec.label,
            fmt(median(server(ra))),
            fmt(median(server(rb))),
            fmt(pairedRatio(server(ra), server(rb)), 3),
            fmt(median(client(ra))),
            fmt(median(client(rb))),
            fmt(pairedRatio(client(ra), client(rb)), 3),
          ];
        },
      ),
    );
  }
  console.log(
    table(
      `Decode tg${tg}, A = this build ${args.values.get("env-a") ?? ""}, B = ${base} ${args.values.get("env-b") ?? ""}, ${gpu ? "GPU" : `CPU, ${threads} threads`}, ${reps} interleaved rounds`,
      ["model", "A server", "B server", "A/B server", "A client", "B client", "A/B client"],
      rows,
    ),
  );
  process.exit(0);
}

/** "K=V,K=V" as environment entries. */
function envList(spec: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (spec ?? "").split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--env-a/--env-b take K=V pairs, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
