/**
 * Every OLLAMA_* variable tollama honours, read once at startup. Invalid values fall back to the
 * default with a warning naming the variable, as Ollama does, so a typo never stops the server.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { IdlePollMode } from "../engine/idle-poll.js";
import { KV_CACHE_TYPES, quantizedCache, type KvCacheType } from "../engine/types.js";
import { parseGoDuration } from "../util/duration.js";
import { parseHost, type HostAddress } from "./host.js";
import { physicalCores } from "./cpus.js";
import { cloudSource, serverJsonDisablesCloud, type CloudSource } from "./cloud.js";

export { cloudSource, serverJsonDisablesCloud, type CloudSource } from "./cloud.js";
export { parseHost, type HostAddress } from "./host.js";
export { physicalCores } from "./cpus.js";

/** "forever" is Ollama's negative keep_alive: the model is never unloaded by the timer. */
export type KeepAlive = number | "forever";

export interface Config {
  /** OLLAMA_HOST: where the server listens. Default 127.0.0.1:11434. */
  host: HostAddress;
  /** OLLAMA_MODELS: the model store. Default ~/.ollama/models. */
  models: string;
  /** OLLAMA_KEEP_ALIVE in ms, or "forever". Default 5 minutes. */
  keepAlive: KeepAlive;
  /**
   * OLLAMA_CONTEXT_LENGTH: num_ctx when neither the request nor the Modelfile sets one. Unset, it is
   * 4096 until `tollama serve` has seen the GPUs: then vramContextLength's tier, as in Ollama.
   */
  contextLength: number;
  /** True when OLLAMA_CONTEXT_LENGTH chose contextLength (false: the VRAM-tier default applies). */
  contextLengthSet: boolean;
  /**
   * OLLAMA_NUM_PARALLEL: sequences per loaded model (an explicit 0 is 1, as in Ollama). Default 0,
   * unset: chosen per model at load, the most of 8, 4, 2, 1 that fits in memory (Ollama's is 1);
   * see the scheduler for why.
   */
  numParallel: number;
  /** OLLAMA_MAX_LOADED_MODELS: models loaded at once; 0 is Ollama's default of three. Default 0. */
  maxLoadedModels: number;
  /** OLLAMA_MAX_QUEUE: requests waiting for a model to load before 503, as Ollama's. Default 512. */
  maxQueue: number;
  /** OLLAMA_ORIGINS plus Ollama's built-in local origins, for CORS. */
  origins: string[];
  /** OLLAMA_DEBUG: log level; 0 info, 1 debug, 2 trace. Default 0. */
  debug: number;
  /** OLLAMA_FLASH_ATTENTION: on, off, or "auto" (unset: on where llama.cpp supports it for the model). */
  flashAttention: boolean | "auto";
  /** OLLAMA_KV_CACHE_TYPE: f16, q8_0 or q4_0. Default f16. */
  kvCacheType: KvCacheType;
  /** OLLAMA_NOPRUNE: keep unreferenced blobs at startup. Default false. */
  noPrune: boolean;
  /** OLLAMA_LOAD_TIMEOUT in ms, or "forever". Default 5 minutes. */
  loadTimeout: KeepAlive;
  /**
   * OLLAMA_NUM_THREAD (tollama): llama.cpp threads. Default: physical performance cores, counted as
   * llama.cpp counts them (cpus.ts).
   */
  numThread: number;
  /** True when OLLAMA_NUM_THREAD chose numThread (false: the physical-core default). */
  numThreadSet: boolean;
  /** OLLAMA_GPU_OVERHEAD: bytes of each GPU kept free of models. Default 0. */
  gpuOverhead: number;
  /**
   * TOLLAMA_IDLE_POLL: keep idle CPUs polling while decoding (src/engine/idle-poll.ts). Default
   * "auto": on a KVM guest whose halt polling is off.
   */
  idlePoll: IdlePollMode;
  /**
   * What turned Ollama's cloud off: OLLAMA_NO_CLOUD ("env"), `disable_ollama_cloud` in
   * ~/.ollama/server.json ("config"), both, or "none" (the default). /api/status reports it.
   */
  cloudSource: CloudSource;
}

export type Env = Record<string, string | undefined>;
export type Warn = (message: string) => void;

/** Ollama strips whitespace and one layer of quotes from every variable. */
export function envVar(env: Env, key: string): string {
  return (env[key] ?? "").trim().replace(/^["']+|["']+$/g, "");
}

export function loadConfig(env: Env = process.env, warn: Warn = (m) => console.warn(m)): Config {
  const v = (k: string) => envVar(env, k);
  const uint = (key: string, def: number): number => {
    const s = v(key);
    if (s === "") return def;
    if (!/^\d+$/.test(s)) {
      warn(`invalid environment variable, using default: ${key}=${JSON.stringify(s)} default=${def}`);
      return def;
    }
    return Number(s);
  };
  const bool = (key: string, def: boolean): boolean => {
    const s = v(key);
    if (s === "") return def;
    const b = parseGoBool(s);
    // Ollama treats a set-but-unparsable flag as true.
    return b ?? true;
  };
  // Measured: flash attention "auto" evaluates prompts ~10% faster here (bench/serve), so it is the
  // default unless the variable says otherwise.
  const flashAttention = v("OLLAMA_FLASH_ATTENTION") === "" ? "auto" : bool("OLLAMA_FLASH_ATTENTION", false);
  const numThread = uint("OLLAMA_NUM_THREAD", 0);
  const contextLength = uint("OLLAMA_CONTEXT_LENGTH", 0);
  return {
    host: parseHost(v("OLLAMA_HOST"), warn),
    models: v("OLLAMA_MODELS") || join(homedir(), ".ollama", "models"),
    keepAlive: durationVar(v("OLLAMA_KEEP_ALIVE"), 5 * 60_000, "OLLAMA_KEEP_ALIVE", warn, false),
    contextLength: contextLength || 4096,
    contextLengthSet: contextLength > 0,
    // unset is automatic; an explicit 0 is one sequence, as Ollama's max(n, 1) makes it
    numParallel: /^0+$/.test(v("OLLAMA_NUM_PARALLEL")) ? 1 : uint("OLLAMA_NUM_PARALLEL", 0),
    maxLoadedModels: uint("OLLAMA_MAX_LOADED_MODELS", 0),
    maxQueue: uint("OLLAMA_MAX_QUEUE", 512),
    origins: allowedOrigins(v("OLLAMA_ORIGINS")),
    debug: debugLevel(v("OLLAMA_DEBUG")),
    flashAttention,
    kvCacheType: cacheTypeWith(flashAttention, kvCacheType(v("OLLAMA_KV_CACHE_TYPE"), warn), warn),
    noPrune: bool("OLLAMA_NOPRUNE", false),
    loadTimeout: durationVar(v("OLLAMA_LOAD_TIMEOUT"), 5 * 60_000, "OLLAMA_LOAD_TIMEOUT", warn, true),
    numThread: numThread || physicalCores(),
    numThreadSet: numThread > 0,
    gpuOverhead: uint("OLLAMA_GPU_OVERHEAD", 0),
    idlePoll: idlePollMode(v("TOLLAMA_IDLE_POLL"), warn),
    cloudSource: cloudSource(bool("OLLAMA_NO_CLOUD", false), serverJsonDisablesCloud()),
  };
}

function idlePollMode(s: string, warn: Warn): IdlePollMode {
  if (s === "" || s === "auto") return "auto";
  const b = parseGoBool(s);
  if (b !== undefined) return b ? "on" : "off";
  warn(`invalid environment variable, using default: TOLLAMA_IDLE_POLL=${JSON.stringify(s)} default=auto`);
  return "auto";
}

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

function durationVar(s: string, def: number, key: string, warn: Warn, zeroIsForever: boolean): KeepAlive {
  let ms = def;
  if (s !== "") {
    if (/^-?\d+$/.test(s)) ms = Number(s) * 1000;
    else {
      try {
        ms = Number(parseGoDuration(s)) / 1e6;
      } catch {
        warn(`invalid environment variable, using default: ${key}=${JSON.stringify(s)}`);
      }
    }
  }
  if (ms < 0 || (zeroIsForever && ms === 0)) return "forever";
  return ms;
}

function debugLevel(s: string): number {
  if (s === "") return 0;
  const b = parseGoBool(s);
  if (b !== undefined) return b ? 1 : 0;
  const n = Number.parseInt(s, 10);
  return Number.isFinite(n) ? n : 0;
}

/** A type llama-server takes, as Ollama passes any on to it; anything else warns and is f16. */
function kvCacheType(s: string, warn: Warn): Config["kvCacheType"] {
  const t = s.toLowerCase();
  if (t === "") return "f16";
  const known = KV_CACHE_TYPES.find((k) => k === t);
  if (known) return known;
  warn(
    `invalid OLLAMA_KV_CACHE_TYPE ${JSON.stringify(s)}, using f16 (supported: ${KV_CACHE_TYPES.join(", ")})`,
  );
  return "f16";
}

/**
 * llama.cpp cannot hold a quantized V cache without flash attention: with it off the context fails
 * to load ("quantized V cache requires flash_attn"). Ollama's runner fell back to f16 with this
 * warning, and so does tollama. Unset (auto) keeps the type: llama.cpp then turns flash attention
 * on, as it does under Ollama's llama-server.
 */
function cacheTypeWith(
  flashAttention: Config["flashAttention"],
  type: Config["kvCacheType"],
  warn: Warn,
): Config["kvCacheType"] {
  if (flashAttention !== false || !quantizedCache(type)) return type;
  warn(
    `OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE, using f16: type=${type}`,
  );
  return "f16";
}

export function allowedOrigins(s: string): string[] {
  const origins = s === "" ? [] : s.split(",");
  for (const o of ["localhost", "127.0.0.1", "0.0.0.0"]) {
    origins.push(`http://${o}`, `https://${o}`, `http://${o}:*`, `https://${o}:*`);
  }
  origins.push("app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*");
  return origins;
}

const GiB = 1024 ** 3;

/**
 * Ollama's default num_ctx by the GPUs' total memory: 4096 below 23 GiB (and with no GPU), 32768
 * from 23 GiB, 262144 from 47 GiB. The thresholds sit a GiB under 24 and 48 because cards report a
 * little less than they are sold as. Each model is still cut to the context it was trained for.
 */
export function vramContextLength(totalVram: number): number {
  if (totalVram >= 47 * GiB) return 262144;
  if (totalVram >= 23 * GiB) return 32768;
  return 4096;
}

/** The startup line, in the spirit of Ollama's `server config env=map[...]`. */
export function describeConfig(c: Config): string {
  const entries: Record<string, string> = {
    // Ollama prints 0 for "by VRAM tier" when the variable is unset.
    OLLAMA_CONTEXT_LENGTH: String(c.contextLengthSet ? c.contextLength : 0),
    OLLAMA_DEBUG: String(c.debug),
    OLLAMA_FLASH_ATTENTION: String(c.flashAttention),
    OLLAMA_GPU_OVERHEAD: String(c.gpuOverhead),
    OLLAMA_HOST: c.host.url,
    OLLAMA_KEEP_ALIVE: c.keepAlive === "forever" ? "forever" : `${c.keepAlive / 1000}s`,
    OLLAMA_KV_CACHE_TYPE: c.kvCacheType,
    OLLAMA_LOAD_TIMEOUT: c.loadTimeout === "forever" ? "forever" : `${c.loadTimeout / 1000}s`,
    OLLAMA_MAX_LOADED_MODELS: String(c.maxLoadedModels),
    OLLAMA_MAX_QUEUE: String(c.maxQueue),
    OLLAMA_MODELS: c.models,
    OLLAMA_NOPRUNE: String(c.noPrune),
    OLLAMA_NO_CLOUD: String(c.cloudSource === "env" || c.cloudSource === "both"),
    OLLAMA_NUM_PARALLEL: String(c.numParallel),
    OLLAMA_NUM_THREAD: String(c.numThread),
    OLLAMA_ORIGINS: `[${c.origins.join(" ")}]`,
    TOLLAMA_IDLE_POLL: c.idlePoll,
  };
  const body = Object.entries(entries)
    .map(([k, val]) => `${k}:${val}`)
    .join(" ");
  return `server config env="map[${body}]"`;
}
