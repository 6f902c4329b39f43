/**
 * Would a persistent ggml thread pool close the decode gap? (issue 8) node-llama-cpp's prebuilt
 * addon attaches none, so ggml starts and joins its worker threads on every decode, and on a small
 * machine a new thread can land behind the one that spin-waits for it. bench/threadpool/build.sh
 * builds a copy of the addon that attaches a pool (bench/threadpool/patch-addon.mjs); this runs
 * tollama on the prebuilt addon (A) and on that build (B) side by side, same store and settings,
 * interleaved, and prints server decode rates and the median of per-round B/A ratios.
 *
 *   bash bench/threadpool/build.sh && npm run build && node bench/run.cjs threadpool \
 *     [--models tiny,smollm,qwen-q4] [--threads N] [--reps N] [--tg N] [--poll 0-100]
 */
import { join } from "node:path";
import { homedir } from "node:os";
import { existsSync } from "node:fs";
import { defaultThreads, fmt, log, median, pairedRatio, parseArgs, table } from "./lib/common.js";
import { decodeRates, interleaved, withTwoServers } from "./lib/ab.js";
import { storedModel } from "./engine.js";

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const threads = Number(args.values.get("threads") ?? defaultThreads());
  const reps = Number(args.values.get("reps") ?? 8);
  const tg = Number(args.values.get("tg") ?? 128);
  const poll = args.values.get("poll") ?? "50";
  const cache = process.env.TOLLAMA_BENCH_CACHE ?? join(homedir(), ".cache", "tollama-bench");
  const patchedApp = join(cache, "nlc-threadpool", "app");
  if (!existsSync(join(patchedApp, "bin", "tollama.cjs")))
    throw new Error(`no patched build at ${patchedApp}: run bash bench/threadpool/build.sh first`);
  const rows: string[][] = [];
  for (const key of (args.values.get("models") ?? "tiny,smollm,qwen-q4").split(",")) {
    const { name, store } = await storedModel(key);
    const env = {
      OLLAMA_MODELS: store,
      OLLAMA_NUM_THREAD: String(threads),
      OLLAMA_LLM_LIBRARY: "cpu",
    };
    const patched = { env: { ...env, TOLLAMA_EXPERIMENT_THREADPOOL: poll }, app: patchedApp };
    rows.push(
      await withTwoServers(name, { env }, patched, async (a, b) => {
        if (!b.output().includes("thread pool attached"))
          throw new Error(`the patched build did not attach a pool:\n${b.output()}`);
        const rate = async (url: string, r: number) => (await decodeRates(url, name, tg, r)).server;
        const { a: ra, b: rb } = await interleaved(
          reps,
          (r) => rate(a.url, r),
          (r) => rate(b.url, r),
          (r) => log(`${key}: round ${r + 1}/${reps}`),
        );
        return [key, fmt(median(ra)), fmt(median(rb)), fmt(pairedRatio(rb, ra), 3)];
      }),
    );
  }
  console.log(
    table(
      `Decode tg${tg}, server eval rate, ${threads} threads, ${reps} interleaved rounds, pool poll ${poll}`,
      ["model", "prebuilt addon (tok/s)", "addon + thread pool (tok/s)", "pool/prebuilt"],
      rows,
    ),
  );
  process.exit(0);
}
