// Ollama's api.Options: the option table, DefaultOptions() and FromMap(), with
// FromMap's exact error texts. FromMap errors surface through Ollama's
// handleScheduleError, i.e. as HTTP 500, so they are thrown as WireError(500).
import { WireError, goQuote } from "./errors.js";

type OptionKind = "int" | "float32" | "bool" | "stringList" | "intPtr" | "boolPtr";

export interface Options {
  // Runner: fixed when the model is loaded
  numCtx: number;
  numBatch: number;
  numGpu: number;
  mainGpu?: number;
  useMmap?: boolean;
  numThread: number;
  draftNumPredict: number;
  // Predict: per request
  numKeep: number;
  seed: number;
  numPredict: number;
  topK: number;
  topP: number;
  minP: number;
  typicalP: number;
  repeatLastN: number;
  temperature: number;
  repeatPenalty: number;
  presencePenalty: number;
  frequencyPenalty: number;
  stop?: string[];
}

/** Every option Ollama knows: JSON name, decoded property, and Go kind. */
export const OPTION_TABLE: ReadonlyArray<{ json: string; prop: keyof Options; kind: OptionKind }> = [
  { json: "num_ctx", prop: "numCtx", kind: "int" },
  { json: "num_batch", prop: "numBatch", kind: "int" },
  { json: "num_gpu", prop: "numGpu", kind: "int" },
  { json: "main_gpu", prop: "mainGpu", kind: "intPtr" },
  { json: "use_mmap", prop: "useMmap", kind: "boolPtr" },
  { json: "num_thread", prop: "numThread", kind: "int" },
  { json: "draft_num_predict", prop: "draftNumPredict", kind: "int" },
  { json: "num_keep", prop: "numKeep", kind: "int" },
  { json: "seed", prop: "seed", kind: "int" },
  { json: "num_predict", prop: "numPredict", kind: "int" },
  { json: "top_k", prop: "topK", kind: "int" },
  { json: "top_p", prop: "topP", kind: "float32" },
  { json: "min_p", prop: "minP", kind: "float32" },
  { json: "typical_p", prop: "typicalP", kind: "float32" },
  { json: "repeat_last_n", prop: "repeatLastN", kind: "int" },
  { json: "temperature", prop: "temperature", kind: "float32" },
  { json: "repeat_penalty", prop: "repeatPenalty", kind: "float32" },
  { json: "presence_penalty", prop: "presencePenalty", kind: "float32" },
  { json: "frequency_penalty", prop: "frequencyPenalty", kind: "float32" },
  { json: "stop", prop: "stop", kind: "stringList" },
];

const byJson = new Map(OPTION_TABLE.map((o) => [o.json, o]));

/** Ollama's DefaultOptions(); numCtx comes from OLLAMA_CONTEXT_LENGTH / the server default. */
export function defaultOptions(numCtx: number): Options {
  return {
    numCtx,
    numBatch: 512,
    numGpu: -1, // decided at load time
    numThread: 0, // runtime decides
    draftNumPredict: 4,
    numKeep: 4,
    seed: -1,
    numPredict: -1,
    topK: 40,
    topP: Math.fround(0.9),
    minP: 0,
    typicalP: 1,
    repeatLastN: 64,
    temperature: Math.fround(0.8),
    repeatPenalty: 1,
    presencePenalty: 0,
    frequencyPenalty: 0,
  };
}

// Go's int64(float64): truncation toward zero. Out-of-range values are
// platform-defined in Go; amd64 yields math.MinInt64, mirrored here.
function toGoInt(n: number): number {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return -(2 ** 63);
  return Math.trunc(n) || 0;
}

function fail(message: string): never {
  throw new WireError(message, 500);
}

/**
 * Options.FromMap: applies a map[string]any onto opts (mutated and returned).
 * Unknown keys are skipped (Ollama logs "invalid option provided"); they are
 * returned so the caller can log them. Go walks its map in random order, so
 * with several bad keys Ollama's choice of error is random; here it is the
 * first in key order.
 */
export function optionsFromMap(opts: Options, m: Record<string, unknown> | undefined | null): string[] {
  const ignored: string[] = [];
  if (m === undefined || m === null) return ignored;
  const target = opts as unknown as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    const val = m[key];
    const opt = byJson.get(key);
    if (opt === undefined) {
      ignored.push(key);
      continue;
    }
    if (val === null || val === undefined) continue;
    const q = goQuote(key);
    switch (opt.kind) {
      case "int":
      case "intPtr":
        // JSON numbers reach FromMap as float64 (int64 via Modelfile params)
        if (typeof val === "number") target[opt.prop] = toGoInt(val);
        else if (typeof val === "bigint") target[opt.prop] = Number(BigInt.asIntN(64, val));
        else fail(`option ${q} must be of type integer`);
        break;
      case "bool":
      case "boolPtr":
        if (typeof val !== "boolean") fail(`option ${q} must be of type boolean`);
        target[opt.prop] = val;
        break;
      case "float32":
        if (typeof val !== "number") fail(`option ${q} must be of type float32`);
        // the Go field is float32
        target[opt.prop] = Math.fround(val);
        break;
      case "stringList": {
        if (!Array.isArray(val)) fail(`option ${q} must be of type array`);
        const list: string[] = [];
        for (const item of val as unknown[]) {
          if (typeof item !== "string") fail(`option ${q} must be of an array of strings`);
          list.push(item);
        }
        target[opt.prop] = list;
        break;
      }
    }
  }
  return ignored;
}

/**
 * Ollama's modelOptions(): defaults, then the Modelfile's PARAMETERs (the
 * params blob, e.g. {"stop":["a"],"temperature":0.7}), then the request's
 * options, each later layer winning. Throws WireError(500) like Ollama.
 */
export function mergeOptions(
  defaults: Options,
  modelfileParams: Record<string, unknown> | undefined | null,
  requestOptions: Record<string, unknown> | undefined | null,
): { options: Options; ignored: string[] } {
  const options: Options = { ...defaults, ...(defaults.stop ? { stop: [...defaults.stop] } : {}) };
  const ignored = [...optionsFromMap(options, modelfileParams), ...optionsFromMap(options, requestOptions)];
  return { options, ignored };
}
