/**
 * `create --quantize` against llama.cpp's own llama-quantize, built from the llama.cpp source that
 * node-llama-cpp bundles (bench/build-llama.sh). For each generated F16 model and file type, both
 * quantize the same file, alternating which goes first; the benchmark prints their times (medians)
 * and whether the two files have the same tensors, types and data offsets.
 *
 *   npm run build && node bench/run.cjs quantize
 *   options: --models smollm,qwen  --types Q4_K_M,Q4_K_S,Q8_0  --reps N (3)
 *            --threads N (tollama's workers and llama-quantize's threads; default: the cores)
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureModel } from "../src/gguf/cache.js";
import { readGguf } from "../src/gguf/reader.js";
import { requantize } from "../src/gguf/requantize.js";
import type { QuantFileType } from "../src/gguf/quant-plan.js";
import type { PresetName } from "../src/gguf/model.js";
import { fmt, loadavg, log, median, parseArgs, ratio, table, writeResult } from "./lib/common.js";
import { llamaCppBin } from "./engine.js";

const execFileAsync = promisify(execFile);

const MODELS: Record<string, PresetName> = { smollm: "smollm2-135m", qwen: "qwen2.5-0.5b" };

/** Every tensor's name, type and offset, one line each: equal strings mean the same layout. */
async function layout(path: string): Promise<string> {
  const f = await readGguf(path, { maxArrayLength: 0 });
  return f.tensors.map((t) => `${t.name} ${t.type} ${t.offset}`).join("\n");
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const models = (args.values.get("models") ?? "smollm,qwen").split(",");
  const types = (args.values.get("types") ?? "Q4_K_M,Q4_K_S,Q8_0").split(",") as QuantFileType[];
  const reps = Number(args.values.get("reps") ?? 3);
  const threads = Number(args.values.get("threads") ?? availableParallelism());
  const bin = llamaCppBin();
  const quantizeBin = bin && join(bin.dir, "llama-quantize");
  if (!quantizeBin || !existsSync(quantizeBin)) {
    console.log("llama-quantize not built; run bench/build-llama.sh");
    process.exitCode = 1;
    return;
  }
  console.log(`load average ${loadavg()}; ${threads} threads each`);
  const dir = await mkdtemp(join(tmpdir(), "tollama-bench-quantize-"));
  const rows: (string | number)[][] = [];
  const results = [];
  try {
    for (const key of models) {
      const preset = MODELS[key];
      if (!preset) throw new Error(`unknown model ${key} (${Object.keys(MODELS).join(", ")})`);
      log(`${preset}: F16 model`);
      const src = await ensureModel(preset, { quant: "F16" });
      for (const type of types) {
        const ours = join(dir, `ours-${type}.gguf`);
        const theirs = join(dir, `llama-${type}.gguf`);
        const tollama: number[] = [];
        const llama: number[] = [];
        for (let r = 0; r < reps; r++) {
          log(`${preset} ${type}: round ${r + 1}/${reps}`);
          const runOurs = async () =>
            tollama.push(await timed(() => requantize(src, ours, type, undefined, threads)));
          const runTheirs = async () =>
            llama.push(
              await timed(async () => {
                await execFileAsync(quantizeBin, [src, theirs, type, String(threads)]);
              }),
            );
          if (r % 2 === 0) await runOurs().then(runTheirs);
          else await runTheirs().then(runOurs);
        }
        const same = (await layout(ours)) === (await layout(theirs));
        const row = { model: preset, type, tollama: median(tollama), llama: median(llama), sameLayout: same };
        results.push(row);
        rows.push([
          preset,
          type,
          fmt(row.tollama, 2),
          fmt(row.llama, 2),
          fmt(ratio(row.llama, row.tollama), 3),
          same ? "yes" : "NO",
        ]);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    table(
      `F16 to each type, seconds (medians of ${reps}, alternating which runs first); speed = llama-quantize time / tollama time`,
      [
        "model",
        "type",
        "tollama",
        "llama-quantize",
        "speed vs llama-quantize",
        "same tensors, types, offsets",
      ],
      rows,
    ),
  );
  console.log(`load average at end ${loadavg()}`);
  console.log(`results: ${await writeResult("quantize", { threads, reps, results })}`);
}
