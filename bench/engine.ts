/**
 * Engine benchmark (issue 8 item 1): single-stream decode and prompt-eval tokens/s through
 * (a) tollama's HTTP API, (b) node-llama-cpp directly and (c) llama.cpp's own llama-bench, built
 * from the llama.cpp source bundled in the installed node-llama-cpp (bench/build-llama.sh), with
 * the same thread count; plus the server's resident memory with the model loaded vs llama-server's
 * on the same model and context size. Variants are interleaved per round; medians are reported.
 *
 *   npm run build && node bench/run.cjs engine [--models qwen-q8,qwen-q4,smollm,tiny] [--threads N]
 *                                              [--reps N] [--warm N] [--quick] [--no-rss] [--gpu] [--fa auto|on|off]
 *
 * --gpu offloads every layer everywhere (tollama's default num_gpu, node-llama-cpp gpuLayers "max",
 * llama-bench/llama-server -ngl 99); without it all three run on the CPU. With --gpu, tollama's
 * thread count is its own default (one, all layers being offloaded); the others get --threads.
 * --fa (default auto, what tollama does with OLLAMA_FLASH_ATTENTION unset) applies to all three.
 * TOLLAMA_LLAMA_BIN names a folder holding llama-bench (and llama-server) to use instead of
 * bench/build-llama.sh's build.
 *
 * Prints tables and writes bench/results/engine-<timestamp>.json.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os, { homedir } from "node:os";
import { join } from "node:path";
import { ensureModel } from "../src/gguf/cache.js";
import { guestHaltPollNs } from "../src/engine/idle-poll.js";
import type { PresetName, QuantName } from "../src/gguf/model.js";
import {
  defaultThreads,
  fmt,
  loadavg,
  log,
  median,
  num,
  parseArgs,
  prepareStore,
  preload,
  processMemory,
  pairedRatio,
  pairedSpread,
  ROOT,
  startTollama,
  stream,
  table,
  uniqueNonce,
  wordSoup,
  writeResult,
  type Mem,
  type ServerProc,
} from "./lib/common.js";
import { Direct, SAMPLING } from "./lib/direct.js";
import { LlamaServer } from "./lib/llama-server.js";
import { benchDecode, prebuiltKernelsBench } from "./lib/kernels.js";

/** The generated models the engine benchmarks run, by their --models key. */
export const MODELS: Record<string, { preset: PresetName; quant: QuantName; label: string }> = {
  "qwen-q4": { preset: "qwen2.5-0.5b", quant: "Q4_0", label: "Qwen2.5-0.5B shape Q4_0" },
  "qwen-q8": { preset: "qwen2.5-0.5b", quant: "Q8_0", label: "Qwen2.5-0.5B shape Q8_0" },
  smollm: { preset: "smollm2-135m", quant: "Q8_0", label: "SmolLM2-135M shape Q8_0" },
  // Bigger shapes, not in the default list: per-token costs outside the decode weigh less there.
  "qwen1.5b-q4": { preset: "qwen2.5-1.5b", quant: "Q4_0", label: "Qwen2.5-1.5B shape Q4_0" },
  "qwen7b-q4": { preset: "qwen2.5-7b", quant: "Q4_0", label: "Qwen2.5-7B shape Q4_0" },
  // Two layers and a 1k vocabulary: decode costs next to nothing, so what is left is each runner's
  // cost per token (thread hops, sampling, HTTP), as on a fast GPU. Not in the default list.
  tiny: { preset: "tiny", quant: "Q8_0", label: "tiny (per-token overhead)" },
};

/** A --models key's model: generated (or taken from the cache) and put in the bench store. */
export async function storedModel(key: string) {
  const spec = MODELS[key];
  if (!spec) throw new Error(`unknown model ${key}; choose from ${Object.keys(MODELS).join(", ")}`);
  const gguf = await ensureModel(spec.preset, { quant: spec.quant });
  const name = `bench-${spec.preset}:${spec.quant.toLowerCase()}`;
  return { spec, gguf, name, store: await prepareStore(gguf, name) };
}

/**
 * Where bench/build-llama.sh puts llama.cpp for the bundled commit; undefined if not built. `dlDir`:
 * its llama-bench that loads the CPU backend at run time, when built.
 */
export function llamaCppBin(): { dir: string; commit: string; dlDir?: string } | undefined {
  const own = process.env.TOLLAMA_LLAMA_BIN;
  if (own)
    return existsSync(join(own, "llama-bench")) ? { dir: own, commit: "TOLLAMA_LLAMA_BIN" } : undefined;
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
  const built = join(cache, `llama.cpp-${commit.slice(0, 7)}`);
  const dir = join(built, "build", "bin");
  if (!existsSync(join(dir, "llama-bench"))) return undefined;
  const dlDir = join(built, "build-dl", "bin");
  return { dir, commit, ...(existsSync(join(dlDir, "llama-bench")) ? { dlDir } : {}) };
}

interface Row {
  model: string;
  httpTg: number[];
  directTg: number[];
  benchTg: number[];
  httpPp: number[];
  directPp: number[];
  benchPp: number[];
  /** llama-bench with the other flash-attention setting (off, or auto when --fa off), for reference. */
  benchTgAlt: number[];
  benchPpAlt: number[];
  /** llama.cpp's llama-server: decode with sampling and a server loop, like tollama's. */
  serverTg: number[];
  serverPp: number[];
  /** llama-bench decoding on node-llama-cpp's prebuilt CPU kernels (bench/lib/kernels.ts). */
  kernelsTg: number[];
  /** tollama's addon calls alone, no batcher or HTTP (Direct.addonLoop). */
  addonTg: number[];
  /** CPU the server's main (JavaScript) thread and this client took per streamed token, ms. */
  mainCpu: number[];
  clientCpu: number[];
  rss?: { tollama?: Mem; llamaServer?: Mem; contextCells: number; parallel: number };
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const quick = args.flags.has("quick");
  const threads = Number(args.values.get("threads") ?? defaultThreads());
  const reps = Number(args.values.get("reps") ?? (quick ? 2 : 5));
  const ctx = Number(args.values.get("ctx") ?? 4096);
  const pp = Number(args.values.get("pp") ?? 512);
  const tg = Number(args.values.get("tg") ?? (quick ? 64 : 128));
  // Tokens each runner decodes before the timed rounds (default 4 x tg, 1 x tg with --quick).
  const warm = Number(args.values.get("warm") ?? (quick ? tg : 4 * tg));
  const which = (args.values.get("models") ?? "qwen-q8,qwen-q4,smollm").split(",");
  for (const m of which)
    if (!MODELS[m]) throw new Error(`unknown model ${m}; choose from ${Object.keys(MODELS).join(", ")}`);
  const withRss = !args.flags.has("no-rss");
  const fa = (args.values.get("fa") ?? "auto") as Fa;
  if (!["auto", "on", "off"].includes(fa)) throw new Error(`--fa takes auto, on or off, not ${fa}`);
  const setup: Setup = { gpu: args.flags.has("gpu"), fa };

  const load0 = loadavg();
  console.log(
    `tollama engine bench: ${setup.gpu ? "GPU, all layers offloaded" : "CPU"}, flash attention ${fa}, ${threads} threads, ` +
      `pp${pp} / tg${tg}, ${warm} tokens of warm-up each, ${reps} round(s), UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}; ` +
      `load average at start ${load0}`,
  );
  const haltPoll = guestHaltPollNs();
  if (haltPoll !== undefined)
    console.log(
      `guest_halt_poll_ns=${haltPoll}` +
        (haltPoll === 0
          ? " (idle vCPUs halt at once: every thread wake waits for the host; see bench/README.md)"
          : ""),
    );
  if (os.loadavg()[0]! > os.availableParallelism())
    console.log(
      `WARNING: load average ${load0} exceeds the ${os.availableParallelism()} CPUs: figures will be low and noisy.`,
    );
  const llamacpp = llamaCppBin();
  if (!llamacpp)
    console.log("llama-bench not built; run bench/build-llama.sh (llama.cpp columns are left empty)");
  else console.log(`llama.cpp ${llamacpp.commit.slice(0, 7)} from ${llamacpp.dir}`);
  const kernels = setup.gpu ? undefined : prebuiltKernelsBench(llamacpp?.dlDir);
  if (kernels) console.log(`llama-bench on node-llama-cpp's prebuilt CPU kernels: ${kernels}`);
  else if (!setup.gpu)
    console.log("no build-dl llama-bench (bench/build-llama.sh): prebuilt-kernel column left out");

  const rows: Row[] = [];
  for (const key of which) {
    log(`${MODELS[key]!.label}: model, store, server`);
    const { spec, gguf, name, store: storeDir } = await storedModel(key);
    // The defaults a user of the README gets, plus the explicit thread count.
    const srv = await startTollama({
      OLLAMA_MODELS: storeDir,
      // On the GPU tollama picks its own count (one thread when every layer is offloaded).
      ...(setup.gpu ? {} : { OLLAMA_NUM_THREAD: String(threads) }),
      OLLAMA_CONTEXT_LENGTH: String(ctx),
      ...(setup.gpu ? {} : { OLLAMA_LLM_LIBRARY: "cpu" }),
      ...(fa === "auto" ? {} : { OLLAMA_FLASH_ATTENTION: fa === "on" ? "1" : "0" }),
    });
    await preload(srv.url, name);
    // Unset, OLLAMA_NUM_PARALLEL is chosen at load; the server logs what it chose.
    const parallel = Number(/msg="model loaded".* parallel=(\d+)/.exec(srv.output())?.[1] ?? 1);
    const ps = (await fetch(`${srv.url}/api/ps`).then((r) => r.json())) as {
      models?: { size?: number; size_vram?: number }[];
    };
    const loaded = ps.models?.[0];
    log(
      `  tollama: parallel=${parallel}, size ${mib(loaded?.size)} MiB, size_vram ${mib(loaded?.size_vram)} MiB, ` +
        `idle CPUs poll while decoding: ${srv.output().includes("idle CPUs poll while a model decodes") ? "yes" : "no"}`,
    );
    const direct = await Direct.open({
      modelPath: gguf,
      threads,
      contextSize: ctx,
      batchSize: 512,
      gpu: setup.gpu,
      flashAttention: fa === "auto" ? "auto" : fa === "on",
    });
    log(`  node-llama-cpp direct: gpu ${String(direct.llama.gpu)}`);
    const row: Row = {
      model: spec.label,
      httpTg: [],
      directTg: [],
      benchTg: [],
      httpPp: [],
      directPp: [],
      benchPp: [],
      benchTgAlt: [],
      benchPpAlt: [],
      serverTg: [],
      serverPp: [],
      kernelsTg: [],
      mainCpu: [],
      clientCpu: [],
      addonTg: [],
    };
    const server = llamacpp
      ? await LlamaServer.start(llamacpp.dir, gguf, {
          threads,
          ctxCells: ctx * parallel,
          parallel,
          gpu: setup.gpu,
          fa,
        })
      : undefined;
    log(`  llama-server: ${server ? `-c ${ctx * parallel} -np ${parallel}` : "not available"}`);
    // Prompt of ~pp tokens, calibrated with the model's tokenizer.
    let words = pp;
    for (let k = 0; k < 4; k++) {
      const n = direct.tokenize(wordSoup(uniqueNonce(999), words, 5)).length;
      words = Math.max(8, Math.round((words * pp) / n));
    }
    // Warm-up: a server that has run for a while has its per-token JavaScript compiled by V8's
    // optimizing tier, which takes a few hundred tokens; so has this client's stream parser.
    for (let done = 0, k = 0; done < warm; done += tg, k++) {
      await httpRun(srv, name, wordSoup(uniqueNonce(-10 - k), 12, 3), tg);
      await direct.generate(direct.tokenize(wordSoup(uniqueNonce(-20 - k), 12, 3)), tg, 1);
      await direct.addonLoop(direct.tokenize(wordSoup(uniqueNonce(-30 - k), 12, 3)), tg, 1);
      await server?.complete(wordSoup(uniqueNonce(-40 - k), 12, 3), tg, 1);
    }

    for (let r = 0; r < reps; r++) {
      log(`  round ${r + 1}/${reps}`);
      // tollama and llama-bench run back to back (in either order), so that their per-round ratio,
      // the issue's target, sees the least drift in what other tenants take from this VM.
      const variants = ["http", "llama-bench", "direct", "llama-server"];
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        if (v === "http") {
          const d = await httpRun(srv, name, wordSoup(uniqueNonce(r), 12, 10 + r), tg);
          row.httpTg.push(d.decode);
          if (d.mainCpu !== undefined) row.mainCpu.push(d.mainCpu);
          row.clientCpu.push(d.clientCpu);
          const p = await httpRun(srv, name, wordSoup(uniqueNonce(100 + r), words, 20 + r), 1);
          row.httpPp.push(p.prompt);
        } else if (v === "direct") {
          const d = await direct.generate(
            direct.tokenize(wordSoup(uniqueNonce(200 + r), 12, 10 + r)),
            tg,
            1 + r,
          );
          row.directTg.push(d.tokPerSec);
          const a = await direct.addonLoop(
            direct.tokenize(wordSoup(uniqueNonce(250 + r), 12, 10 + r)),
            tg,
            1 + r,
          );
          row.addonTg.push(a.tokPerSec);
          const toks = direct.tokenize(wordSoup(uniqueNonce(300 + r), words, 20 + r));
          const p = await direct.generate(toks, 1, 1);
          row.directPp.push((toks.length * 1000) / p.ttftMs);
        } else if (v === "llama-server") {
          if (!server) continue;
          const d = await server.complete(wordSoup(uniqueNonce(400 + r), 12, 10 + r), tg, 1 + r);
          row.serverTg.push(d.decode);
          const p = await server.complete(wordSoup(uniqueNonce(500 + r), words, 20 + r), 1, 1);
          row.serverPp.push(p.prompt);
        } else if (llamacpp) {
          const res = llamaBench(llamacpp.dir, gguf, threads, pp, tg, setup);
          row.benchPp.push(res.pp.main);
          row.benchTg.push(res.tg.main);
          row.benchPpAlt.push(res.pp.alt);
          row.benchTgAlt.push(res.tg.alt);
          if (kernels) row.kernelsTg.push(benchDecode(kernels, gguf, threads, tg, setup.fa));
        }
      }
    }
    if (withRss) {
      // After the runs, both servers: model loaded, slots used, same KV size.
      row.rss = {
        tollama: processMemory(srv.pid),
        llamaServer: server?.memory(),
        contextCells: ctx * parallel,
        parallel,
      };
      // Where each server's resident memory is, mapping by mapping (bench/gpu-kit/smaps.py).
      if (process.env.TOLLAMA_BENCH_SMAPS)
        for (const pid of [srv.pid, server?.pid])
          if (pid)
            log(
              spawnSync("python3", [join(ROOT, "bench", "gpu-kit", "smaps.py"), String(pid)], {
                encoding: "utf8",
              }).stdout,
            );
    }
    await srv.stop();
    await server?.stop();
    await direct.close();
    rows.push(row);
    printRow(row, pp, tg);
  }

  const load1 = loadavg();
  console.log(summary(rows, pp, tg, threads, setup));
  const file = await writeResult("engine", {
    started: new Date().toISOString(),
    setup,
    threads,
    pp,
    tg,
    reps,
    warm,
    contextLength: ctx,
    sampling: SAMPLING,
    llamaCpp: llamacpp ?? null,
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
    guestHaltPollNs: haltPoll ?? null,
    loadavgStart: load0,
    loadavgEnd: load1,
    rows,
  });
  console.log(`\nload average at start ${load0}, at end ${load1}`);
  console.log(`results: ${file}`);
  process.exit(0);
}

function printRow(r: Row, pp: number, tg: number) {
  const m = (xs: number[]) => fmt(median(xs));
  console.log(
    `  ${r.model}: tg${tg} http ${m(r.httpTg)} direct ${m(r.directTg)} llama-bench ${m(r.benchTg)} llama-server ${m(r.serverTg)}; ` +
      `pp${pp} http ${m(r.httpPp)} direct ${m(r.directPp)} llama-bench ${m(r.benchPp)} llama-server ${m(r.serverPp)}`,
  );
}

function summary(rows: Row[], pp: number, tg: number, threads: number, setup: Setup): string {
  type Pick = (r: Row) => {
    http: number[];
    direct: number[];
    bench: number[];
    alt: number[];
    server: number[];
  };
  const speedTable = (title: string, pick: Pick) =>
    table(
      title,
      [
        "model",
        "tollama HTTP",
        "node-llama-cpp",
        "llama-bench",
        "llama-server",
        "HTTP/direct",
        "HTTP/llama-bench",
        "its middle half",
        "direct/llama-bench",
        "HTTP/llama-server",
        `llama-bench fa=${altFa(setup.fa)}`,
      ],
      rows.map((r) => {
        const p = pick(r);
        const [h, d, b, s] = [median(p.http), median(p.direct), median(p.bench), median(p.server)];
        return [
          r.model,
          fmt(h),
          fmt(d),
          fmt(b),
          fmt(s),
          fmt(pairedRatio(p.http, p.direct), 3),
          fmt(pairedRatio(p.http, p.bench), 3),
          pairedSpread(p.http, p.bench),
          fmt(pairedRatio(p.direct, p.bench), 3),
          fmt(pairedRatio(p.http, p.server), 3),
          fmt(median(p.alt)),
        ];
      }),
    );
  const t1 = speedTable(
    `Decode tg${tg}, tok/s, ${threads} threads (medians; ratios are medians of per-round ratios; target HTTP >= 0.95x llama-bench)`,
    (r) => ({ http: r.httpTg, direct: r.directTg, bench: r.benchTg, alt: r.benchTgAlt, server: r.serverTg }),
  );
  const t2 = speedTable(
    `Prompt eval pp${pp}, tok/s (medians and per-round ratios; target HTTP >= 0.95x llama-bench)`,
    (r) => ({
      http: r.httpPp,
      direct: r.directPp,
      bench: r.benchPp,
      alt: r.benchPpAlt,
      server: r.serverPp,
    }),
  );
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
  const withKernels = rows.filter((r) => r.kernelsTg.length > 0);
  const t4 = withKernels.length
    ? table(
        `Where a decode gap lies, tg${tg}: llama-bench on node-llama-cpp's prebuilt CPU kernels (its ` +
          "libggml-cpu-<variant>.so) against the native build; tollama's addon calls alone (no batcher, " +
          "no HTTP). Kernels near 1.0 leave the gap to how decodes are driven: addon/llama-bench is the " +
          "addon's share, HTTP/addon tollama's own JavaScript's. On few cores, the CPU that tollama's " +
          "main thread and this client take per streamed token comes out of the decode's threads.",
        [
          "model",
          "llama-bench native",
          "prebuilt kernels",
          "kernels/native",
          "addon loop",
          "addon/llama-bench",
          "HTTP/addon",
          "main thread ms/token",
          "client ms/token",
        ],
        withKernels.map((r) => [
          r.model,
          fmt(median(r.benchTg)),
          fmt(median(r.kernelsTg)),
          fmt(pairedRatio(r.kernelsTg, r.benchTg), 3),
          fmt(median(r.addonTg)),
          fmt(pairedRatio(r.addonTg, r.benchTg), 3),
          fmt(pairedRatio(r.httpTg, r.addonTg), 3),
          r.mainCpu.length ? fmt(median(r.mainCpu), 3) : "?",
          fmt(median(r.clientCpu), 3),
        ]),
      )
    : "";
  return [
    t1,
    t2,
    t3,
    ...(t4 ? [t4] : []),
    `  All three run with flash attention ${setup.fa} (tollama's default is auto); llama-bench's fa=${altFa(setup.fa)} column is for reference.`,
  ].join("\n");
}

/** Server decode (eval_count / eval_duration) and prompt rate (prompt_eval_count / prompt_eval_duration). */
async function httpRun(s: ServerProc, model: string, prompt: string, numPredict: number) {
  const main0 = threadCpuNs(s.pid);
  const client0 = process.cpuUsage();
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
  const main1 = threadCpuNs(s.pid);
  const client = process.cpuUsage(client0);
  return {
    // Client side, first token to done, like the direct loop's first-to-last token.
    decode: ((n - 1) * 1000) / (r.tDone - r.tFirst),
    prompt: (num(r.final, "prompt_eval_count") * 1e9) / num(r.final, "prompt_eval_duration"),
    mainCpu: main0 !== undefined && main1 !== undefined ? (main1 - main0) / 1e6 / n : undefined,
    clientCpu: (client.user + client.system) / 1000 / n,
  };
}

/**
 * Nanoseconds a thread has spent on a CPU (Linux's schedstat, exact where /proc/.../stat counts
 * 10 ms ticks); the main thread's id is the process id. Undefined where there is no /proc.
 */
function threadCpuNs(pid: number, tid = pid): number | undefined {
  try {
    const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    return Number.isFinite(ns) ? ns : undefined;
  } catch {
    return undefined;
  }
}

type Fa = "auto" | "on" | "off";

interface Setup {
  /** Offload every layer (default false: CPU only). */
  gpu: boolean;
  /** Flash attention for all three runners (default auto, tollama's default). */
  fa: Fa;
}

/** The reference setting llama-bench also runs: off, or auto when the main one is off. */
function altFa(fa: Fa): Fa {
  return fa === "off" ? "auto" : "off";
}

interface BenchOut {
  pp: { main: number; alt: number };
  tg: { main: number; alt: number };
}

function llamaBench(
  dir: string,
  gguf: string,
  threads: number,
  pp: number,
  tg: number,
  setup: Setup,
): BenchOut {
  const text = execFileSync(
    join(dir, "llama-bench"),
    [
      ...["-m", gguf, "-t", String(threads), "-p", String(pp), "-n", String(tg), "-r", "1"],
      ...["-fa", `${setup.fa},${altFa(setup.fa)}`, "-ngl", setup.gpu ? "99" : "0", "-o", "json"],
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 << 20 },
  );
  const runs = JSON.parse(text) as { n_prompt: number; n_gen: number; avg_ts: number; flash_attn: unknown }[];
  // llama-bench reports auto as on or off as resolved; the two settings differ in off-ness.
  const get = (kind: "pp" | "tg", fa: Fa) => {
    const hit = runs.find(
      (x) =>
        (kind === "pp" ? x.n_prompt > 0 && x.n_gen === 0 : x.n_gen > 0 && x.n_prompt === 0) &&
        isOff(x.flash_attn) === (fa === "off"),
    );
    return hit?.avg_ts ?? NaN;
  };
  return {
    pp: { main: get("pp", setup.fa), alt: get("pp", altFa(setup.fa)) },
    tg: { main: get("tg", setup.fa), alt: get("tg", altFa(setup.fa)) },
  };
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? "?" : fmt(bytes / 2 ** 20, 0);
}

function isOff(v: unknown): boolean {
  return v === false || v === 0 || v === "off" || v === "disabled";
}
