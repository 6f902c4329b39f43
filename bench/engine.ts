/**
 * Engine benchmark (issue 8 item 1): single-stream decode and prompt-eval tokens/s through
 * (a) tollama's HTTP API, (b) node-llama-cpp directly and (c) llama.cpp's own llama-bench, built
 * from the llama.cpp source bundled in the installed node-llama-cpp (bench/build-llama.sh), with
 * the same thread count; plus the server's resident memory with the model loaded vs llama-server's
 * on the same model and context size. Variants are interleaved per round; medians are reported.
 *
 *   npm run build && node bench/run.cjs engine [--models qwen-q8,qwen-q4,smollm] [--threads N]
 *                                              [--reps N] [--quick] [--no-rss]
 *
 * Prints tables and writes bench/results/engine-<timestamp>.json.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os, { homedir } from "node:os";
import { join } from "node:path";
import { ensureModel } from "../src/gguf/cache.js";
import type { PresetName, QuantName } from "../src/gguf/model.js";
import {
  defaultThreads,
  fmt,
  freePort,
  loadavg,
  log,
  median,
  num,
  parseArgs,
  prepareStore,
  preload,
  processMemory,
  ratio,
  ROOT,
  sleep,
  startTollama,
  stopChild,
  stream,
  table,
  track,
  uniqueNonce,
  wordSoup,
  writeResult,
  type Mem,
  type ServerProc,
} from "./lib/common.js";
import { Direct, SAMPLING } from "./lib/direct.js";

const MODELS: Record<string, { preset: PresetName; quant: QuantName; label: string }> = {
  "qwen-q4": { preset: "qwen2.5-0.5b", quant: "Q4_0", label: "Qwen2.5-0.5B shape Q4_0" },
  "qwen-q8": { preset: "qwen2.5-0.5b", quant: "Q8_0", label: "Qwen2.5-0.5B shape Q8_0" },
  smollm: { preset: "smollm2-135m", quant: "Q8_0", label: "SmolLM2-135M shape Q8_0" },
};

/** Where bench/build-llama.sh puts llama.cpp for the bundled commit; undefined if not built. */
export function llamaCppBin(): { dir: string; commit: string } | undefined {
  const bundle = join(ROOT, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
  let commit = "unknown";
  try {
    // Read-only: lists the bundle's refs.
    commit =
      execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" }).split(/\s/)[0] ?? "unknown";
  } catch {
    return undefined;
  }
  const cache = process.env.TOLLAMA_BENCH_CACHE ?? join(homedir(), ".cache", "tollama-bench");
  const dir = join(cache, `llama.cpp-${commit.slice(0, 7)}`, "build", "bin");
  if (!existsSync(join(dir, "llama-bench"))) return undefined;
  return { dir, commit };
}

interface Row {
  model: string;
  httpTg: number[];
  directTg: number[];
  benchTg: number[];
  httpPp: number[];
  directPp: number[];
  benchPp: number[];
  benchTgFaAuto: number[];
  benchPpFaAuto: number[];
  rss?: { tollama?: Mem; llamaServer?: Mem; contextCells: number; parallel: number };
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const quick = args.flags.has("quick");
  const threads = Number(args.values.get("threads") ?? defaultThreads());
  const reps = Number(args.values.get("reps") ?? (quick ? 2 : 3));
  const ctx = Number(args.values.get("ctx") ?? 4096);
  const pp = Number(args.values.get("pp") ?? 512);
  const tg = Number(args.values.get("tg") ?? (quick ? 64 : 128));
  const which = (args.values.get("models") ?? "qwen-q8,qwen-q4,smollm").split(",");
  for (const m of which)
    if (!MODELS[m]) throw new Error(`unknown model ${m}; choose from ${Object.keys(MODELS).join(", ")}`);
  const withRss = !args.flags.has("no-rss");

  const load0 = loadavg();
  console.log(
    `tollama engine bench: ${threads} threads, pp${pp} / tg${tg}, ${reps} round(s), UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}; ` +
      `load average at start ${load0}`,
  );
  if (os.loadavg()[0]! > os.availableParallelism())
    console.log(
      `WARNING: load average ${load0} exceeds the ${os.availableParallelism()} CPUs: figures will be low and noisy.`,
    );
  const llamacpp = llamaCppBin();
  if (!llamacpp)
    console.log("llama-bench not built; run bench/build-llama.sh (llama.cpp columns are left empty)");
  else console.log(`llama.cpp ${llamacpp.commit.slice(0, 7)} from ${llamacpp.dir}`);

  const rows: Row[] = [];
  for (const key of which) {
    const spec = MODELS[key]!;
    log(`${spec.label}: model, store, server`);
    const gguf = await ensureModel(spec.preset, { quant: spec.quant });
    const name = `bench-${spec.preset}:${spec.quant.toLowerCase()}`;
    const storeDir = await prepareStore(gguf, name);
    // The defaults a user of the README gets, plus the explicit thread count.
    const srv = await startTollama({
      OLLAMA_MODELS: storeDir,
      OLLAMA_NUM_THREAD: String(threads),
      OLLAMA_CONTEXT_LENGTH: String(ctx),
    });
    await preload(srv.url, name);
    // Unset, OLLAMA_NUM_PARALLEL is chosen at load; the server logs what it chose.
    const parallel = Number(/msg="model loaded".* parallel=(\d+)/.exec(srv.output())?.[1] ?? 1);
    const direct = await Direct.open({ modelPath: gguf, threads, contextSize: ctx, batchSize: 512 });
    const row: Row = {
      model: spec.label,
      httpTg: [],
      directTg: [],
      benchTg: [],
      httpPp: [],
      directPp: [],
      benchPp: [],
      benchTgFaAuto: [],
      benchPpFaAuto: [],
    };
    // Prompt of ~pp tokens, calibrated with the model's tokenizer.
    let words = pp;
    for (let k = 0; k < 4; k++) {
      const n = direct.tokenize(wordSoup(uniqueNonce(999), words, 5)).length;
      words = Math.max(8, Math.round((words * pp) / n));
    }
    // Warm-up.
    await httpRun(srv, name, wordSoup(uniqueNonce(-1), 12, 3), 16);
    await direct.generate(direct.tokenize(wordSoup(uniqueNonce(-2), 12, 3)), 16, 1);

    for (let r = 0; r < reps; r++) {
      log(`  round ${r + 1}/${reps}`);
      const variants = ["http", "direct", "llama-bench"];
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        if (v === "http") {
          const d = await httpRun(srv, name, wordSoup(uniqueNonce(r), 12, 10 + r), tg);
          row.httpTg.push(d.decode);
          const p = await httpRun(srv, name, wordSoup(uniqueNonce(100 + r), words, 20 + r), 1);
          row.httpPp.push(p.prompt);
        } else if (v === "direct") {
          const d = await direct.generate(
            direct.tokenize(wordSoup(uniqueNonce(200 + r), 12, 10 + r)),
            tg,
            1 + r,
          );
          row.directTg.push(d.tokPerSec);
          const toks = direct.tokenize(wordSoup(uniqueNonce(300 + r), words, 20 + r));
          const p = await direct.generate(toks, 1, 1);
          row.directPp.push((toks.length * 1000) / p.ttftMs);
        } else if (llamacpp) {
          const res = llamaBench(llamacpp.dir, gguf, threads, pp, tg);
          row.benchPp.push(res.pp.off);
          row.benchTg.push(res.tg.off);
          row.benchPpFaAuto.push(res.pp.auto);
          row.benchTgFaAuto.push(res.tg.auto);
        }
      }
    }
    if (withRss) {
      // After the runs: model loaded, slots used.
      row.rss = { tollama: processMemory(srv.pid), contextCells: ctx * parallel, parallel };
    }
    await srv.stop();
    await direct.close();
    if (withRss && llamacpp && row.rss) {
      log(`  llama-server memory, -c ${ctx * parallel} -np ${parallel}`);
      row.rss.llamaServer = await llamaServerRss(llamacpp.dir, gguf, threads, ctx * parallel, parallel);
    }
    rows.push(row);
    printRow(row, pp, tg);
  }

  const load1 = loadavg();
  console.log(summary(rows, pp, tg, threads));
  const file = await writeResult("engine", {
    started: new Date().toISOString(),
    threads,
    pp,
    tg,
    reps,
    contextLength: ctx,
    sampling: SAMPLING,
    llamaCpp: llamacpp ?? null,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
    loadavgStart: load0,
    loadavgEnd: load1,
    rows,
  });
  console.log(`\nload average at start ${load0}, at end ${load1}`);
  console.log(`results: ${file}`);
  process.exit(0);
}

function printRow(r: Row, pp: number, tg: number) {
  console.log(
    `  ${r.model}: tg${tg} http ${fmt(median(r.httpTg))} direct ${fmt(median(r.directTg))} llama-bench ${fmt(median(r.benchTg))}; ` +
      `pp${pp} http ${fmt(median(r.httpPp))} direct ${fmt(median(r.directPp))} llama-bench ${fmt(median(r.benchPp))}`,
  );
}

function summary(rows: Row[], pp: number, tg: number, threads: number): string {
  const speedTable = (title: string, pick: (r: Row) => [number[], number[], number[], number[]]) =>
    table(
      title,
      [
        "model",
        "tollama HTTP",
        "node-llama-cpp",
        "llama-bench",
        "HTTP/direct",
        "HTTP/llama-bench",
        "direct/llama-bench",
        "llama-bench fa=auto",
      ],
      rows.map((r) => {
        const [http, direct, bench, benchFa] = pick(r);
        const [h, d, b] = [median(http), median(direct), median(bench)];
        return [
          r.model,
          fmt(h),
          fmt(d),
          fmt(b),
          fmt(ratio(h, d), 3),
          fmt(ratio(h, b), 3),
          fmt(ratio(d, b), 3),
          fmt(median(benchFa)),
        ];
      }),
    );
  const t1 = speedTable(
    `Decode tg${tg}, tok/s, ${threads} threads (median; target HTTP >= 0.95x llama-bench)`,
    (r) => [r.httpTg, r.directTg, r.benchTg, r.benchTgFaAuto],
  );
  const t2 = speedTable(`Prompt eval pp${pp}, tok/s (median; target HTTP >= 0.95x llama-bench)`, (r) => [
    r.httpPp,
    r.directPp,
    r.benchPp,
    r.benchPpFaAuto,
  ]);
  const t3 = table(
    "Resident memory with the model loaded, MiB (target: tollama within 150 MB of llama-server)",
    ["model", "KV cells / slots", "tollama RSS (anon+file)", "llama-server RSS (anon+file)", "difference"],
    rows.map((r) => {
      const a = r.rss?.tollama;
      const b = r.rss?.llamaServer;
      const show = (m?: Mem) => (m ? `${fmt(m.rssMiB, 0)} (${fmt(m.anonMiB, 0)}+${fmt(m.fileMiB, 0)})` : "-");
      return [
        r.model,
        r.rss ? `${r.rss.contextCells} / ${r.rss.parallel}` : "-",
        show(a),
        show(b),
        a && b ? fmt(a.rssMiB - b.rssMiB, 0) : "-",
      ];
    }),
  );
  return [
    t1,
    t2,
    t3,
    "  llama-bench runs with -fa off to match tollama's default (OLLAMA_FLASH_ATTENTION unset); its fa=auto column is for reference.",
  ].join("\n");
}

/** Server decode (eval_count / eval_duration) and prompt rate (prompt_eval_count / prompt_eval_duration). */
async function httpRun(s: ServerProc, model: string, prompt: string, numPredict: number) {
  const r = await stream(s.url, "/api/generate", {
    model,
    prompt,
    raw: true,
    options: {
      num_predict: numPredict,
      seed: 1,
      temperature: SAMPLING.temperature,
      top_k: SAMPLING.topK,
      top_p: SAMPLING.topP,
      min_p: SAMPLING.minP,
    },
  });
  const n = num(r.final, "eval_count");
  return {
    // Client side, first token to done, like the direct loop's first-to-last token.
    decode: ((n - 1) * 1000) / (r.tDone - r.tFirst),
    prompt: (num(r.final, "prompt_eval_count") * 1e9) / num(r.final, "prompt_eval_duration"),
  };
}

interface BenchOut {
  pp: { off: number; auto: number };
  tg: { off: number; auto: number };
}

function llamaBench(dir: string, gguf: string, threads: number, pp: number, tg: number): BenchOut {
  const text = execFileSync(
    join(dir, "llama-bench"),
    [
      "-m",
      gguf,
      "-t",
      String(threads),
      "-p",
      String(pp),
      "-n",
      String(tg),
      "-r",
      "1",
      "-fa",
      "off,auto",
      "-ngl",
      "0",
      "-o",
      "json",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 << 20 },
  );
  const runs = JSON.parse(text) as { n_prompt: number; n_gen: number; avg_ts: number; flash_attn: unknown }[];
  const get = (kind: "pp" | "tg", fa: "off" | "auto") => {
    const hit = runs.find(
      (x) =>
        (kind === "pp" ? x.n_prompt > 0 && x.n_gen === 0 : x.n_gen > 0 && x.n_prompt === 0) &&
        (fa === "off" ? isOff(x.flash_attn) : !isOff(x.flash_attn)),
    );
    return hit?.avg_ts ?? NaN;
  };
  return {
    pp: { off: get("pp", "off"), auto: get("pp", "auto") },
    tg: { off: get("tg", "off"), auto: get("tg", "auto") },
  };
}

function isOff(v: unknown): boolean {
  return v === false || v === 0 || v === "off" || v === "disabled";
}

async function llamaServerRss(
  dir: string,
  gguf: string,
  threads: number,
  ctxCells: number,
  parallel: number,
): Promise<Mem | undefined> {
  const port = await freePort();
  const child = spawn(
    join(dir, "llama-server"),
    [
      "-m",
      gguf,
      "-t",
      String(threads),
      "-c",
      String(ctxCells),
      "-np",
      String(parallel),
      "-fa",
      "off",
      "-ngl",
      "0",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  track(child);
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) return undefined;
      const ok = await fetch(`${base}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) return undefined;
      await sleep(200);
    }
    // Use one slot like the tollama runs did, so touched pages are comparable.
    await fetch(`${base}/completion`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: wordSoup("memory", 60, 1), n_predict: 32 }),
    }).then((r) => r.text());
    return processMemory(child.pid!);
  } finally {
    await stopChild(child);
  }
}
