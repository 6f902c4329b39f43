/**
 * Shared pieces of the benchmarks: options, statistics, a tollama server child process over a
 * model store prepared without the HTTP API, a small keep-alive HTTP/NDJSON client, tables and
 * result files. Measurement only: nothing here is part of `npm test`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createStore, MEDIA_TYPES, type Layer } from "../../src/store/index.js";
import { physicalCores } from "../../src/config/cpus.js";

/** The repository root (this file runs from dist/bench/lib/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

// ---------------------------------------------------------------- options

export interface Args {
  flags: Set<string>;
  values: Map<string, string>;
}

export function parseArgs(argv: string[]): Args {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq > 0) values.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) values.set(a.slice(2), argv[++i]!);
    else flags.add(a.slice(2));
  }
  return { flags, values };
}

/** The server's default thread count (physical performance cores). */
export function defaultThreads(): number {
  return physicalCores();
}

// ---------------------------------------------------------------- statistics

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile; NaN for no samples. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function loadavg(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

export function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  return x.toFixed(digits);
}

export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : NaN;
}

/**
 * The median of per-round ratios a[i]/b[i]: runs of one round are seconds apart, so a machine that
 * drifts (other tenants' memory traffic moves small-model decode by ±15% here) moves both alike.
 * Falls back to the ratio of medians when the rounds do not pair up.
 */
export function pairedRatio(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length === 0) return ratio(median(a), median(b));
  return median(a.map((x, i) => ratio(x, b[i] as number)));
}

/**
 * The middle half of the per-round ratios a[i]/b[i] ("0.84-0.93"), to print beside pairedRatio: how
 * far one run's median can be trusted on a noisy machine. "-" when the rounds do not pair up.
 */
export function pairedSpread(a: number[], b: number[]): string {
  if (a.length !== b.length || a.length < 2) return "-";
  const ratios = a.map((x, i) => ratio(x, b[i] as number));
  return `${fmt(quantile(ratios, 0.25), 2)}-${fmt(quantile(ratios, 0.75), 2)}`;
}

// ---------------------------------------------------------------- tables and results

export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [
    `\n${title}`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ];
  return out.join("\n");
}

export async function writeResult(kind: string, data: unknown): Promise<string> {
  const dir = join(ROOT, "bench", "results");
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = join(dir, `${kind}-${stamp}.json`);
  await writeFile(file, JSON.stringify(data, null, 2) + "\n");
  return file;
}

export function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// ---------------------------------------------------------------- process memory

export interface Mem {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
}

/** VmRSS / RssAnon / RssFile of a process (Linux). */
export function processMemory(pid: number): Mem | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? NaN) / 1024;
    return { rssMiB: kb("VmRSS"), anonMiB: kb("RssAnon"), fileMiB: kb("RssFile") };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- model store and server

export const CHATML = `{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
`;

/**
 * A model store for the benchmarks under .cache/bench-store (gitignored), written with the store
 * module the way `tollama create` would leave it, so no HTTP upload is timed. Reused across runs.
 */
export async function prepareStore(
  gguf: string,
  name: string,
  storeDir = join(ROOT, ".cache", "bench-store"),
) {
  const store = createStore({ root: storeDir });
  if (await store.exists(name)) {
    // The same name must point at this very file (its blob is named by its digest).
    const m = await store.readModel(name).catch(() => undefined);
    if (m && existsSync(gguf)) {
      const manifest = await store.readManifest(name);
      const layer = manifest.manifest.layers.find((l) => l.mediaType === MEDIA_TYPES.model);
      if (layer && (await store.hasBlob(layer.digest))) {
        const size = await store.blobSize(layer.digest);
        if (size === (await import("node:fs")).statSync(gguf).size) return storeDir;
      }
    }
  }
  const blob = await store.writeBlob(createReadStream(gguf));
  const layers: Layer[] = [{ mediaType: MEDIA_TYPES.model, digest: blob.digest, size: blob.size }];
  layers.push((await store.createLayer(CHATML, MEDIA_TYPES.template)).layer);
  await store.writeModel(name, {
    config: {
      model_format: "gguf",
      model_family: "qwen2",
      model_families: ["qwen2"],
      model_type: "",
      file_type: "",
    },
    layers,
  });
  return storeDir;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => res(port));
    });
  });
}

export interface ServerProc {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}

/**
 * `node bin/tollama.cjs serve` as a child process, exactly as a user starts it, with OLLAMA_*
 * overrides. Extra node flags (e.g. --cpu-prof) go before the launcher.
 */
export async function startTollama(
  env: Record<string, string>,
  nodeFlags: string[] = [],
  timeoutMs = 30_000,
  /** The app folder whose bin/tollama.cjs runs (default: this checkout). */
  app = ROOT,
): Promise<ServerProc> {
  const port = await freePort();
  let out = "";
  // bench/run.cjs set UV_THREADPOOL_SIZE (to 1, what bin/tollama.cjs picks, unless the user chose
  // one); the server inherits it, so server and direct baseline run under the same pool size.
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  Object.assign(childEnv, {
    OLLAMA_HOST: `127.0.0.1:${port}`,
    OLLAMA_KEEP_ALIVE: "-1",
    OLLAMA_NOPRUNE: "1",
    ...env,
  });
  const child = spawn(process.execPath, [...nodeFlags, join(app, "bin", "tollama.cjs"), "serve"], {
    cwd: app,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const up = await waitServing(child, url, "/", timeoutMs);
  if (up === "exited") throw new Error(`tollama exited (${child.exitCode}):\n${out}`);
  if (up === "timeout") {
    child.kill("SIGKILL");
    throw new Error(`tollama did not start in ${timeoutMs} ms:\n${out}`);
  }
  return {
    url,
    port,
    pid: child.pid!,
    child,
    output: () => out,
    stop: () => stopChild(child),
  };
}

/** Polls `url + path` until it answers 200 ("up"), the child exits, or `timeoutMs` passes. */
export async function waitServing(
  child: ChildProcess,
  url: string,
  path: string,
  timeoutMs: number,
): Promise<"up" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) return "exited";
    try {
      if ((await request(url, "GET", path)).status === 200) return "up";
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) return "timeout";
    await sleep(100);
  }
}

/** Children still running; killed if the benchmark itself is interrupted. */
const children = new Set<ChildProcess>();
let cleanupInstalled = false;

export function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", () => {
    for (const c of children) c.kill("SIGKILL");
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      for (const c of children) c.kill("SIGKILL");
      process.exit(130);
    });
  }
}

export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- HTTP client

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface Reply {
  status: number;
  body: string;
}

/**
 * A kept-alive socket the server closed while idle (Node's keepAliveTimeout) fails the next request
 * with ECONNRESET before any response byte: that request is sent again, once, on a new socket.
 */
async function retryReset<T>(send: (onResponse: () => void) => Promise<T>): Promise<T> {
  let responded = false;
  try {
    return await send(() => (responded = true));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (responded || (code !== "ECONNRESET" && code !== "EPIPE")) throw err;
    return send(() => {});
  }
}

export function request(base: string, method: string, path: string, body?: unknown): Promise<Reply> {
  return retryReset((onResponse) => requestOnce(base, method, path, onResponse, body));
}

function requestOnce(
  base: string,
  method: string,
  path: string,
  onResponse: () => void,
  body?: unknown,
): Promise<Reply> {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: data
          ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) }
          : {},
      },
      (r) => {
        onResponse();
        let text = "";
        r.setEncoding("utf8");
        r.on("data", (c: string) => (text += c));
        r.on("end", () => res({ status: r.statusCode ?? 0, body: text }));
        r.on("error", rej);
      },
    );
    req.on("error", rej);
    req.end(data);
  });
}

/** One streamed /api/generate or /api/chat call, with client-side timestamps (ms). */
export interface StreamResult {
  /** Request sent. */
  t0: number;
  /** First chunk carrying text (time to first token = tFirst - t0). */
  tFirst: number;
  /** Last chunk with text. */
  tLastText: number;
  /** Final (done) chunk. */
  tDone: number;
  textChunks: number;
  text: string;
  final: Record<string, unknown>;
}

export function stream(base: string, path: string, body: Record<string, unknown>): Promise<StreamResult> {
  return retryReset((onResponse) => streamOnce(base, path, body, onResponse));
}

function streamOnce(
  base: string,
  path: string,
  body: Record<string, unknown>,
  onResponse: () => void,
): Promise<StreamResult> {
  return new Promise((res, rej) => {
    const data = JSON.stringify(body);
    const t0 = nowMs();
    let tFirst = NaN;
    let tLastText = NaN;
    let textChunks = 0;
    let text = "";
    let buf = "";
    let final: Record<string, unknown> | undefined;
    const req = http.request(
      `${base}${path}`,
      {
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) },
      },
      (r) => {
        onResponse();
        r.setEncoding("utf8");
        r.on("data", (c: string) => {
          const t = nowMs();
          buf += c;
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const obj = JSON.parse(line) as Record<string, unknown>;
            if (typeof obj.error === "string") {
              rej(new Error(`server error: ${obj.error}`));
              return;
            }
            const piece =
              typeof obj.response === "string"
                ? obj.response
                : ((obj.message as { content?: string } | undefined)?.content ?? "");
            if (piece.length > 0) {
              if (Number.isNaN(tFirst)) tFirst = t;
              tLastText = t;
              textChunks++;
              text += piece;
            }
            if (obj.done === true) {
              final = obj;
              if (Number.isNaN(tFirst)) tFirst = t;
              if (Number.isNaN(tLastText)) tLastText = t;
            }
          }
        });
        r.on("end", () => {
          if (r.statusCode !== 200) return rej(new Error(`HTTP ${r.statusCode}: ${buf}`));
          if (!final) return rej(new Error("stream ended without a done chunk"));
          res({ t0, tFirst, tLastText, tDone: nowMs(), textChunks, text, final });
        });
        r.on("error", rej);
      },
    );
    req.on("error", rej);
    req.end(data);
  });
}

export function num(obj: Record<string, unknown>, key: string): number {
  const v = obj[key];
  return typeof v === "number" ? v : 0;
}

/** Makes sure the model is loaded (an empty prompt loads it, as in Ollama). */
export async function preload(
  base: string,
  model: string,
  options: Record<string, unknown> = {},
): Promise<void> {
  const r = await request(base, "POST", "/api/generate", { model, prompt: "", stream: false, options });
  if (r.status !== 200) throw new Error(`preload failed: ${r.status} ${r.body}`);
}

// ---------------------------------------------------------------- prompts

/** A deterministic word soup; `nonce` goes first so two prompts share no prefix. */
export function wordSoup(nonce: string, words: number, seed: number): string {
  const vocab =
    "the of and to in is was for on that with as by at from his her they this which but are were had have not be one all their there been more when who will would can time people year way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number night point home water room mother area money story fact month lot right study book eye job word business issue side kind head house service friend father power hour game line end member law car city community name president team minute idea kid body information back parent face others level office door health person art war history party result change morning reason research girl guy moment air teacher force education".split(
      " ",
    );
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const out = [nonce];
  for (let i = 0; i < words; i++) out.push(vocab[Math.floor(rnd() * vocab.length)]!);
  return out.join(" ");
}

export function uniqueNonce(i: number): string {
  return `[${process.pid.toString(36)}-${Date.now().toString(36)}-${i}]`;
}
