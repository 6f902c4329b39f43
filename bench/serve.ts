/**
 * Serving benchmark (issues 3 and 5): one generated Qwen2.5-0.5B-shaped model, measured in one
 * run against a minimal node-llama-cpp loop in this process, with variants interleaved
 * (A, B, A, B, ...) and medians reported, since other jobs may share the machine.
 *
 *   npm run build && node bench/run.cjs serve [--quick] [--quant Q8_0|Q4_0] [--threads N]
 *                                             [--reps N] [--ctx 4096] [--cpu-prof] [--preset smollm2-135m]
 *                                             [--only decode,prompt,concurrency,chat,latency]
 *
 * Prints tables and writes bench/results/serve-<timestamp>.json.
 */
import { ensureModel } from "../src/gguf/cache.js";
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
  quantile,
  ratio,
  request,
  ROOT,
  startTollama,
  stream,
  table,
  uniqueNonce,
  wordSoup,
  writeResult,
  nowMs,
  processMemory,
  type ServerProc,
  type StreamResult,
} from "./lib/common.js";
import { Direct, SAMPLING } from "./lib/direct.js";
import { join } from "node:path";
import os from "node:os";

const SECTIONS = ["decode", "prompt", "concurrency", "chat", "latency"] as const;
type Section = (typeof SECTIONS)[number];

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const quick = args.flags.has("quick");
  const preset = (args.values.get("preset") ?? "qwen2.5-0.5b") as PresetName;
  const quant = (args.values.get("quant") ?? "Q8_0").toUpperCase() as QuantName;
  if (quant !== "Q8_0" && quant !== "Q4_0") throw new Error(`--quant must be Q8_0 or Q4_0, not ${quant}`);
  const threads = Number(args.values.get("threads") ?? defaultThreads());
  const reps = Number(args.values.get("reps") ?? (quick ? 3 : 5));
  const ctx = Number(args.values.get("ctx") ?? 4096);
  const only = new Set((args.values.get("only") ?? SECTIONS.join(",")).split(",") as Section[]);
  const cpuProf = args.flags.has("cpu-prof");
  const decodeTokens = quick ? 64 : 128;
  const promptWordsTarget = 512;
  const concurrencyLevels = [1, 2, 4, 8, 16];
  const concurrencyTokens = quick ? 32 : 64;
  const concurrencyReps = quick ? 1 : 2;
  const chatReps = quick ? 1 : 2;
  const chatTurns = 10;
  const latencyN = quick ? 60 : 200;

  const load0 = loadavg();
  if (os.loadavg()[0]! > os.availableParallelism())
    console.log(
      `WARNING: load average ${load0} exceeds the ${os.availableParallelism()} CPUs: llama.cpp threads that lose their core ` +
        "stall at every barrier, so absolute figures will be far below normal (ratios of interleaved runs are less affected).",
    );
  const started = new Date().toISOString();
  console.log(
    `tollama serve bench: ${preset} ${quant}, ${threads} threads, ${os.availableParallelism()} CPUs, ` +
      `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}, ${quick ? "quick" : "full"}; load average at start ${load0}`,
  );

  log("generating / locating the model");
  const gguf = await ensureModel(preset, { quant });
  const name = `bench-${preset}:${quant.toLowerCase()}`;
  const storeDir = await prepareStore(gguf, name);

  const baseEnv = {
    OLLAMA_MODELS: storeDir,
    OLLAMA_NUM_THREAD: String(threads),
    OLLAMA_CONTEXT_LENGTH: String(ctx),
  };
  log("starting tollama (default NUM_PARALLEL) and tollama (NUM_PARALLEL=1)");
  const profDir = join(ROOT, "bench", "results", `prof-${Date.now()}`);
  const srv = await startTollama(baseEnv, cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []);
  const needP1 = only.has("concurrency") || only.has("decode");
  const srv1 = needP1 ? await startTollama({ ...baseEnv, OLLAMA_NUM_PARALLEL: "1" }) : undefined;
  await preload(srv.url, name);
  // Unset, OLLAMA_NUM_PARALLEL is chosen at load; the server logs what it chose.
  const defaultParallel = /msg="model loaded".* parallel=(\d+)/.exec(srv.output())?.[1] ?? "?";
  if (srv1) await preload(srv1.url, name);

  log("loading the direct node-llama-cpp baseline");
  // Same settings as the server (flash attention auto, as with OLLAMA_FLASH_ATTENTION unset); a
  // second baseline with flash attention off, for reference, in prompt eval.
  const direct = await Direct.open({
    modelPath: gguf,
    threads,
    contextSize: ctx,
    batchSize: 512,
    flashAttention: "auto",
  });
  const directFa = only.has("prompt")
    ? await Direct.open({
        modelPath: gguf,
        threads,
        contextSize: ctx,
        batchSize: 512,
        flashAttention: false,
      })
    : undefined;

  const result: Record<string, unknown> = {
    started,
    model: { preset, quant, path: gguf },
    threads,
    contextLength: ctx,
    defaultNumParallel: Number(defaultParallel),
    uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE,
    quick,
    reps,
    sampling: SAMPLING,
    loadavgStart: load0,
  };
  const out: string[] = [];

  // Warm-up: one short generation on each, so first-call costs (page faults, JIT) stay out.
  const warmPrompt = wordSoup(uniqueNonce(-1), 16, 7);
  await genStream(srv, name, warmPrompt, 16, 1);
  if (srv1) await genStream(srv1, name, warmPrompt, 16, 1);
  await direct.generate(direct.tokenize(warmPrompt), 16, 1);

  // ------------------------------------------------------------ 1. single-stream decode
  if (only.has("decode")) {
    log(
      `single-stream decode: ${reps} x (HTTP, direct${srv1 ? ", HTTP NUM_PARALLEL=1" : ""}), ${decodeTokens} tokens`,
    );
    const http: { client: number; server: number; tokens: number }[] = [];
    const http1: { client: number; server: number; tokens: number }[] = [];
    const dir: number[] = [];
    for (let i = 0; i < reps; i++) {
      const prompt = wordSoup(uniqueNonce(i), 12, 100 + i);
      const order = i % 2 === 0 ? ["http", "direct", "http1"] : ["direct", "http1", "http"];
      for (const v of order) {
        if (v === "direct")
          dir.push((await direct.generate(direct.tokenize(prompt), decodeTokens, 1000 + i)).tokPerSec);
        else if (v === "http")
          http.push(decodeRates(await genStream(srv, name, prompt, decodeTokens, 1000 + i)));
        else if (srv1) http1.push(decodeRates(await genStream(srv1, name, prompt, decodeTokens, 1000 + i)));
      }
    }
    const hc = median(http.map((x) => x.client));
    const hs = median(http.map((x) => x.server));
    const d = median(dir);
    const rows: (string | number)[][] = [
      [`tollama HTTP (NUM_PARALLEL=${defaultParallel})`, fmt(hc), fmt(hs), fmt(ratio(hc, d), 3)],
    ];
    if (http1.length) {
      const h1 = median(http1.map((x) => x.client));
      rows.push([
        "tollama HTTP (NUM_PARALLEL=1)",
        fmt(h1),
        fmt(median(http1.map((x) => x.server))),
        fmt(ratio(h1, d), 3),
      ]);
    }
    rows.push(["node-llama-cpp direct", fmt(d), "-", "1.000"]);
    out.push(
      table(
        `Single-stream decode, ${decodeTokens} tokens, tok/s (median of ${reps}; target HTTP/direct >= 0.97)`,
        ["path", "client tok/s", "server eval tok/s", "vs direct"],
        rows,
      ),
    );
    result.decode = {
      tokens: decodeTokens,
      httpClientTokPerSec: hc,
      httpServerTokPerSec: hs,
      directTokPerSec: d,
      ratio: ratio(hc, d),
      samples: { http, http1, direct: dir },
    };
    console.log(out.at(-1));
  }

  // ------------------------------------------------------------ 2. prompt evaluation
  if (only.has("prompt")) {
    // Calibrate the word soup to ~512 tokens with the model's own tokenizer.
    let words = promptWordsTarget;
    for (let k = 0; k < 4; k++) {
      const n = direct.tokenize(wordSoup(uniqueNonce(999), words, 5)).length;
      words = Math.max(16, Math.round((words * promptWordsTarget) / n));
    }
    log(
      `prompt eval: ${reps} x (HTTP, direct, direct with flash attention off), ~${promptWordsTarget}-token prompts, fresh each time`,
    );
    const http: { server: number; ttft: number; count: number }[] = [];
    const dir: { rate: number; ttft: number; count: number }[] = [];
    const dirFa: { rate: number; ttft: number; count: number }[] = [];
    for (let i = 0; i < reps; i++) {
      for (const v of i % 2 === 0 ? ["http", "direct", "direct-fa"] : ["direct-fa", "direct", "http"]) {
        // A fresh nonce first: nothing is shared with any cached sequence.
        const prompt = wordSoup(
          uniqueNonce(1000 + i * 3 + ["http", "direct", "direct-fa"].indexOf(v)),
          words,
          200 + i,
        );
        if (v === "http") {
          const r = await genStream(srv, name, prompt, 1, 1);
          const count = num(r.final, "prompt_eval_count");
          http.push({
            server: (count * 1e9) / num(r.final, "prompt_eval_duration"),
            ttft: r.tFirst - r.t0,
            count,
          });
        } else {
          const d = v === "direct" ? direct : directFa;
          if (!d) continue;
          const tokens = d.tokenize(prompt);
          const r = await d.generate(tokens, 1, 1);
          (v === "direct" ? dir : dirFa).push({
            rate: (tokens.length * 1000) / r.ttftMs,
            ttft: r.ttftMs,
            count: tokens.length,
          });
        }
      }
    }
    const hs = median(http.map((x) => x.server));
    const hTtft = median(http.map((x) => x.ttft));
    const hCount = median(http.map((x) => x.count));
    const hClient = (hCount * 1000) / hTtft;
    const d = median(dir.map((x) => x.rate));
    const dTtft = median(dir.map((x) => x.ttft));
    out.push(
      table(
        `Prompt evaluation, ~${Math.round(hCount)}-token prompts, no cache hit (median of ${reps})`,
        ["path", "tok/s", "time to first token ms", "vs direct"],
        [
          ["tollama HTTP, server prompt_eval_duration", fmt(hs), "-", fmt(ratio(hs, d), 3)],
          ["tollama HTTP, client time to first token", fmt(hClient), fmt(hTtft), fmt(ratio(hClient, d), 3)],
          ["node-llama-cpp direct", fmt(d), fmt(dTtft), "1.000"],
          [
            "node-llama-cpp direct, flash attention off",
            fmt(median(dirFa.map((x) => x.rate))),
            fmt(median(dirFa.map((x) => x.ttft))),
            fmt(ratio(median(dirFa.map((x) => x.rate)), d), 3),
          ],
        ],
      ),
    );
    result.promptEval = {
      promptTokens: hCount,
      httpServerTokPerSec: hs,
      httpClientTokPerSec: hClient,
      httpTtftMs: hTtft,
      directTokPerSec: d,
      directTtftMs: dTtft,
      ratioServer: ratio(hs, d),
      ratioClient: ratio(hClient, d),
      directFlashAttentionAutoTokPerSec: median(dirFa.map((x) => x.rate)),
      samples: { http, direct: dir, directFlashAttentionAuto: dirFa },
    };
    console.log(out.at(-1));
  }

  // ------------------------------------------------------------ 3. concurrent streams
  if (only.has("concurrency") && srv1) {
    log(
      `concurrency: levels ${concurrencyLevels.join(",")}, ${concurrencyTokens} tokens each, ${concurrencyReps} rep(s)`,
    );
    const agg = new Map<string, { p1: Conc[]; pd: Conc[] }>();
    let seed = 5000;
    for (let rep = 0; rep < concurrencyReps; rep++) {
      for (const n of concurrencyLevels) {
        const entry = agg.get(String(n)) ?? { p1: [], pd: [] };
        agg.set(String(n), entry);
        const order = (rep + n) % 2 === 0 ? ["p1", "pd"] : ["pd", "p1"];
        for (const v of order) {
          const s = v === "p1" ? srv1 : srv;
          log(`  ${n} streams on NUM_PARALLEL=${v === "p1" ? 1 : defaultParallel}`);
          entry[v as "p1" | "pd"].push(await concurrent(s, name, n, concurrencyTokens, seed++));
        }
      }
    }
    const rows: (string | number)[][] = [];
    const json: Record<string, unknown> = {};
    for (const n of concurrencyLevels) {
      const e = agg.get(String(n))!;
      const a1 = median(e.p1.map((x) => x.aggTokPerSec));
      const ad = median(e.pd.map((x) => x.aggTokPerSec));
      const t1 = median(e.p1.map((x) => x.ttftP50));
      const td = median(e.pd.map((x) => x.ttftP50));
      rows.push([String(n), fmt(a1), fmt(ad), fmt(ratio(ad, a1), 2) + "x", fmt(t1, 0), fmt(td, 0)]);
      json[n] = {
        numParallel1: a1,
        numParallelDefault: ad,
        speedup: ratio(ad, a1),
        ttftP50Ms: { p1: t1, pd: td },
        samples: e,
      };
    }
    out.push(
      table(
        `Aggregate decode tok/s, ${concurrencyTokens} tokens per stream (all tokens / wall time; target >= 2x at 8)`,
        [
          "streams",
          "NUM_PARALLEL=1",
          `NUM_PARALLEL=${defaultParallel}`,
          "speedup",
          "TTFT p50 ms (P=1)",
          `TTFT p50 ms (P=${defaultParallel})`,
        ],
        rows,
      ),
    );
    result.concurrency = { tokensPerStream: concurrencyTokens, reps: concurrencyReps, levels: json };
    console.log(out.at(-1));
  }

  // ------------------------------------------------------------ 4. multi-turn chat
  if (only.has("chat")) {
    log(`multi-turn chat: ${chatReps} x (cache on, cache off), ${chatTurns} turns`);
    const on: Turn[][] = [];
    const off: Turn[][] = [];
    for (let rep = 0; rep < chatReps; rep++) {
      for (const v of rep % 2 === 0 ? ["on", "off"] : ["off", "on"]) {
        const turns = await conversation(
          srv,
          name,
          chatTurns,
          v === "off",
          7000 + rep * 100 + (v === "on" ? 0 : 50),
        );
        (v === "on" ? on : off).push(turns);
      }
    }
    const pick = (runs: Turn[][], t: number, f: (x: Turn) => number) => median(runs.map((r) => f(r[t - 1]!)));
    const rows: (string | number)[][] = [];
    for (const [label, runs] of [
      ["cache on", on],
      ["cache off (emulated)", off],
    ] as const) {
      const t1 = pick(runs, 1, (x) => x.ttftMs);
      const t10 = pick(runs, chatTurns, (x) => x.ttftMs);
      rows.push([
        label,
        fmt(t1, 0),
        fmt(t10, 0),
        fmt(ratio(t10, t1), 2) + "x",
        `${fmt(
          pick(runs, 1, (x) => x.promptEvalMs),
          0,
        )} / ${fmt(
          pick(runs, chatTurns, (x) => x.promptEvalMs),
          0,
        )}`,
        `${fmt(
          pick(runs, chatTurns, (x) => x.promptTokens),
          0,
        )}`,
      ]);
    }
    out.push(
      table(
        `Multi-turn /api/chat, time to first token (median of ${chatReps}; target turn 10 <= 1.5x turn 1 with cache on)`,
        [
          "prompt cache",
          "turn 1 ms",
          `turn ${chatTurns} ms`,
          "ratio",
          "server prompt_eval ms t1/t10",
          `turn ${chatTurns} prompt tokens`,
        ],
        rows,
      ),
    );
    out.push(
      "  cache off is emulated: tollama has no switch to disable its prompt cache, so each turn starts\n" +
        "  with a different leading system line (a fresh nonce), and no prefix beyond the template's\n" +
        "  first tokens is shared with any cached sequence.",
    );
    result.chat = { turns: chatTurns, cacheOn: on, cacheOffEmulated: off };
    console.log(out.slice(-2).join("\n"));
  }

  // ------------------------------------------------------------ 5. num_predict: 1 latency
  if (only.has("latency")) {
    log(`num_predict 1 latency: ${latencyN} x (HTTP, direct), same short prompt (cached prefix)`);
    const prompt = "Hello there, how are you today?";
    const tokens = direct.tokenize(prompt);
    const e2e: number[] = [];
    const added: number[] = [];
    const serverTotal: number[] = [];
    const dir: number[] = [];
    for (let i = 0; i < 5; i++) {
      await oneToken(srv, name, prompt);
      await direct.generateCached(tokens, 1, 1);
    }
    for (let i = 0; i < latencyN; i++) {
      const r = await oneToken(srv, name, prompt);
      e2e.push(r.e2eMs);
      serverTotal.push(r.totalMs);
      added.push(r.e2eMs - r.totalMs);
      const t0 = nowMs();
      await direct.generateCached(tokens, 1, 1);
      dir.push(nowMs() - t0);
    }
    const rows = [
      ["HTTP end to end", fmt(median(e2e), 2), fmt(quantile(e2e, 0.99), 2)],
      ["server total_duration", fmt(median(serverTotal), 2), fmt(quantile(serverTotal, 0.99), 2)],
      ["direct 1-token generation", fmt(median(dir), 2), fmt(quantile(dir, 0.99), 2)],
      ["added: end to end - total_duration", fmt(median(added), 2), fmt(quantile(added, 0.99), 2)],
      ["added: end to end - direct (p50 - p50)", fmt(median(e2e) - median(dir), 2), "-"],
    ];
    out.push(
      table(
        `num_predict: 1 request, ms (${latencyN} samples, prompt prefix cached; target added p50 < 2 ms)`,
        ["measure", "p50", "p99"],
        rows,
      ),
    );
    result.latency = {
      n: latencyN,
      e2eMs: { p50: median(e2e), p99: quantile(e2e, 0.99) },
      serverTotalMs: { p50: median(serverTotal), p99: quantile(serverTotal, 0.99) },
      directMs: { p50: median(dir), p99: quantile(dir, 0.99) },
      addedVsTotalMs: { p50: median(added), p99: quantile(added, 0.99) },
      addedVsDirectP50Ms: median(e2e) - median(dir),
    };
    console.log(out.at(-1));
  }

  const load1 = loadavg();
  result.loadavgEnd = load1;
  result.serverRssMiB = processMemory(srv.pid);
  await srv.stop();
  if (srv1) await srv1.stop();
  await direct.close();
  await directFa?.close();
  const file = await writeResult("serve", result);
  console.log(`\nload average at start ${load0}, at end ${load1}`);
  if (cpuProf) console.log(`server CPU profile(s) in ${profDir}`);
  console.log(`results: ${file}`);
  process.exit(0);
}

// ---------------------------------------------------------------- helpers

function genStream(
  s: ServerProc,
  model: string,
  prompt: string,
  numPredict: number,
  seed: number,
): Promise<StreamResult> {
  return stream(s.url, "/api/generate", {
    model,
    prompt,
    raw: true,
    stream: true,
    options: { num_predict: numPredict, seed, ...ollamaSampling() },
  });
}

function ollamaSampling() {
  return {
    temperature: SAMPLING.temperature,
    top_k: SAMPLING.topK,
    top_p: SAMPLING.topP,
    min_p: SAMPLING.minP,
  };
}

/** Client: (eval_count - 1) / (done - first token); server: eval_count / eval_duration. */
function decodeRates(r: StreamResult) {
  const tokens = num(r.final, "eval_count");
  return {
    client: ((tokens - 1) * 1000) / (r.tDone - r.tFirst),
    server: (tokens * 1e9) / num(r.final, "eval_duration"),
    tokens,
  };
}

interface Conc {
  aggTokPerSec: number;
  wallMs: number;
  tokens: number;
  ttftP50: number;
}

async function concurrent(
  s: ServerProc,
  model: string,
  n: number,
  tokens: number,
  seed: number,
): Promise<Conc> {
  const t0 = nowMs();
  const runs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      genStream(s, model, wordSoup(uniqueNonce(seed * 100 + i), 12, seed + i), tokens, seed + i),
    ),
  );
  const wallMs = Math.max(...runs.map((r) => r.tDone)) - t0;
  const total = runs.reduce((a, r) => a + num(r.final, "eval_count"), 0);
  return {
    aggTokPerSec: (total * 1000) / wallMs,
    wallMs,
    tokens: total,
    ttftP50: median(runs.map((r) => r.tFirst - r.t0)),
  };
}

interface Turn {
  turn: number;
  ttftMs: number;
  promptEvalMs: number;
  promptTokens: number;
}

/**
 * A growing conversation: each turn adds a ~40-word user message and the model's 16-token reply.
 * With `defeatCache`, the system line starts with a new nonce every turn.
 */
async function conversation(
  s: ServerProc,
  model: string,
  turns: number,
  defeatCache: boolean,
  seed: number,
): Promise<Turn[]> {
  const convNonce = uniqueNonce(seed);
  const messages: { role: string; content: string }[] = [];
  const out: Turn[] = [];
  for (let t = 1; t <= turns; t++) {
    const system = `${defeatCache ? uniqueNonce(seed * 1000 + t) : convNonce} You are a helpful assistant.`;
    messages.push({ role: "user", content: wordSoup(`Question ${t}:`, 40, seed + t) });
    const r = await stream(s.url, "/api/chat", {
      model,
      messages: [{ role: "system", content: system }, ...messages],
      stream: true,
      options: { num_predict: 16, seed: seed + t, ...ollamaSampling() },
    });
    messages.push({ role: "assistant", content: r.text });
    out.push({
      turn: t,
      ttftMs: r.tFirst - r.t0,
      promptEvalMs: num(r.final, "prompt_eval_duration") / 1e6,
      promptTokens: num(r.final, "prompt_eval_count"),
    });
  }
  return out;
}

async function oneToken(s: ServerProc, model: string, prompt: string) {
  const t0 = nowMs();
  const r = await request(s.url, "POST", "/api/generate", {
    model,
    prompt,
    raw: true,
    stream: false,
    options: { num_predict: 1, seed: 1, ...ollamaSampling() },
  });
  const e2eMs = nowMs() - t0;
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body}`);
  const body = JSON.parse(r.body) as Record<string, unknown>;
  return { e2eMs, totalMs: num(body, "total_duration") / 1e6 };
}
