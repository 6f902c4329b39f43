/**
 * Ollama's options (request > Modelfile PARAMETER > defaults) turned into what the engine needs:
 * load-time settings (a change reloads the model) and per-request sampling.
 */
import type { Config } from "../config/index.js";
import type { LoadOptions, Sampling } from "../engine/types.js";
import { defaultOptions, mergeOptions, type Options } from "../api/wire/index.js";
import type { ResolvedModel } from "./models.js";
import { errors } from "./errors.js";

export interface EffectiveOptions {
  options: Options;
  /** Unknown option keys, which Ollama ignores with a warning. */
  ignored: string[];
  /** The num_ctx asked for when it was over the model's trained context and cut to it. */
  numCtxOverTrained?: { requested: number; trained: number };
}

/** The parts of a model the option mapping reads (narrow, so tests need no store). */
export interface ModelForOptions {
  modelPath: ResolvedModel["modelPath"];
  capabilities: ResolvedModel["capabilities"];
  stored: Pick<ResolvedModel["stored"], "params" | "adapterPaths">;
  /** The GGUF's `<arch>.context_length` (absent or 0 when it has none) and architecture. */
  gguf?: { contextLength: number | undefined; architecture?: string };
}

/**
 * Architectures Ollama loads with one sequence whatever OLLAMA_NUM_PARALLEL says, as not safe with
 * several (its sched.go, ollama#4165); tollama follows it.
 */
const ONE_SEQUENCE_ARCHITECTURES: ReadonlySet<string> = new Set([
  "mllama",
  "qwen3vl",
  "qwen3vlmoe",
  "qwen35",
  "qwen35moe",
  "qwen3next",
  "lfm2",
  "lfm2moe",
  "nemotron_h",
  "nemotron_h_moe",
  "nemotron_h_omni",
]);

/** True when the model's architecture is served one request at a time. */
export function oneSequenceOnly(model: Pick<ModelForOptions, "gguf">): boolean {
  return ONE_SEQUENCE_ARCHITECTURES.has(model.gguf?.architecture ?? "");
}

/** Ollama's floor for num_ctx; vision models get at least 2048. */
const MIN_CTX = 4;
const MIN_VISION_CTX = 2048;

/**
 * Request options over Modelfile PARAMETERs over the defaults, with num_ctx as Ollama's scheduler
 * settles it: at least 4 (2048 for vision models), and no more than the context the model was
 * trained for, so a 2k-context model runs at 2k whatever OLLAMA_CONTEXT_LENGTH says.
 */
export function effectiveOptions(
  config: Config,
  model: Pick<ModelForOptions, "stored" | "gguf"> & Partial<Pick<ModelForOptions, "capabilities">>,
  requestOptions: Record<string, unknown> | undefined,
): EffectiveOptions {
  const eff: EffectiveOptions = mergeOptions(
    defaultOptions(config.contextLength),
    model.stored.params,
    requestOptions,
  );
  const o = eff.options;
  o.numCtx = Math.max(o.numCtx, MIN_CTX);
  if (model.capabilities?.includes("vision")) o.numCtx = Math.max(o.numCtx, MIN_VISION_CTX);
  const trained = model.gguf?.contextLength ?? 0;
  if (trained > 0 && o.numCtx > trained) {
    eff.numCtxOverTrained = { requested: o.numCtx, trained };
    o.numCtx = trained;
  }
  return eff;
}

/**
 * Load-time settings: num_thread, else OLLAMA_NUM_THREAD, else physical cores (config); num_batch
 * (512 when unset or 0); num_gpu -1 lets the engine fit layers; K/V cache type and flash attention
 * come from the environment only, as in Ollama.
 */
export function loadOptions(config: Config, model: ModelForOptions, o: Options): LoadOptions {
  return {
    path: model.modelPath,
    contextSize: o.numCtx,
    sequences: oneSequenceOnly(model) ? 1 : config.numParallel,
    batchSize: o.numBatch > 0 ? o.numBatch : 512,
    threads: o.numThread > 0 ? o.numThread : config.numThread,
    threadsChosen: o.numThread > 0 || config.numThreadSet,
    gpuLayers: o.numGpu < 0 ? "auto" : o.numGpu,
    useMmap: o.useMmap,
    flashAttention: config.flashAttention,
    kvCacheType: config.kvCacheType,
    adapters: model.stored.adapterPaths,
    embedding: model.capabilities.includes("embedding"),
  };
}

export function sampling(o: Options, format: Sampling["format"]): Sampling {
  return {
    temperature: o.temperature,
    topK: o.topK,
    topP: o.topP,
    minP: o.minP,
    seed: o.seed,
    repeatPenalty: o.repeatPenalty,
    repeatLastN: o.repeatLastN,
    presencePenalty: o.presencePenalty,
    frequencyPenalty: o.frequencyPenalty,
    format,
  };
}

/** `format` as sent: "" or absent is none, "json" any JSON, an object a schema; anything else is Ollama's error. */
export function parseFormat(raw: { raw: string; value: unknown } | undefined): Sampling["format"] {
  if (!raw) return undefined;
  const v = raw.value;
  if (v === null || v === "") return undefined;
  if (v === "json") return "json";
  if (raw.raw.startsWith("{") && typeof v === "object") return v as Record<string, unknown>;
  // Ollama finds this out in the runner, so it arrives as a 500 quoting the raw JSON.
  throw errors.internal(
    `invalid format: ${JSON.stringify(raw.raw)}; expected "json" or a valid JSON Schema object`,
  );
}
