/** What generate and chat share around a completion: model lookup, capability checks, scheduling, events. */
import type { Config } from "../config/index.js";
import type { Scheduler, RunnerSpec, Lease, KeepAlive } from "../scheduler/scheduler.js";
import type { Logger } from "../server/logger.js";
import { InvalidNameError, StoreError } from "../store/index.js";
import type { KeepAlive as WireKeepAlive, Think } from "../api/wire/index.js";
import type { Capability, Models, ResolvedModel } from "./models.js";
import type { OutputPiece } from "./output.js";
import type { Logprob } from "../engine/types.js";
import { errors } from "./errors.js";
import { effectiveOptions, loadOptions, oneSequenceOnly, type EffectiveOptions } from "./options.js";
import { detailsJson } from "./details.js";
import { cloudDisabled, parseModelRef } from "./model-ref.js";

export interface CoreDeps {
  config: Config;
  models: Models;
  scheduler: Scheduler;
  log: Logger;
}

export interface Metrics {
  totalNs: number;
  loadNs: number;
  promptEvalCount: number;
  promptEvalNs: number;
  evalCount: number;
  evalNs: number;
}

export type InferenceEvent =
  /** `logprobs`: those of the tokens whose text this piece completes, when asked for. */
  | { type: "piece"; piece: OutputPiece; logprobs?: Logprob[] }
  | {
      type: "done";
      doneReason: string;
      metrics: Metrics;
      context?: number[];
      stopSequence?: string | undefined;
    }
  /** Early answers that run no completion: load, unload, or the rendered prompt. */
  | {
      type: "early";
      doneReason?: "load" | "unload";
      debug?: { renderedTemplate: string; imageCount: number };
    };

/**
 * The stored model a request names, as Ollama's handlers look it up: a `:local` suffix is dropped,
 * a cloud model is refused (tollama has no cloud) and a name that does not parse is a 400. The
 * errors for an empty name and a missing model vary by handler; both default to the 404 that
 * /api/generate and /api/embed answer, with the name as the client sent it.
 */
export async function resolveModel(
  deps: CoreDeps,
  name: string,
  answers: { empty?: () => Error; missing?: () => Error } = {},
): Promise<ResolvedModel> {
  const missing = answers.missing ?? (() => errors.modelNotFound(name));
  const ref = parseModelRef(name);
  if (!ref) throw (answers.empty ?? missing)();
  if (ref.source === "cloud") throw cloudDisabled("inference");
  try {
    return await deps.models.resolve(ref.base);
  } catch (err) {
    if (err instanceof InvalidNameError) throw errors.invalidModelName();
    if (err instanceof StoreError && err.status === 404) throw missing();
    throw err;
  }
}

export function toKeepAlive(k: WireKeepAlive | undefined): KeepAlive | undefined {
  if (!k) return undefined;
  return k.forever ? "forever" : k.ms;
}

export function isUnloadRequest(k: WireKeepAlive | undefined): boolean {
  return k !== undefined && !k.forever && k.ms === 0;
}

/** Ollama's think default: on for thinking models, an error when asked of others. */
export function resolveThink(
  model: ResolvedModel,
  requested: Think | undefined,
  name: string,
): Think | undefined {
  if (model.capabilities.includes("thinking")) return requested ?? true;
  if (requested !== undefined && requested !== false) throw errors.noThinking(name);
  return requested;
}

export function thinkEnabled(t: Think | undefined): boolean {
  return t !== undefined && t !== false;
}

export function checkCapabilities(
  model: ResolvedModel,
  wanted: Capability[],
  name: string,
  verb: "generate" | "chat",
) {
  const missing = wanted.filter((c) => !model.capabilities.includes(c));
  if (missing.length === 0) return;
  if (missing.includes("completion"))
    throw verb === "generate" ? errors.noGenerate(name) : errors.noChat(name);
  throw errors.missingCapabilities(model.fullName, missing);
}

export function runnerSpec(deps: CoreDeps, model: ResolvedModel, eff: EffectiveOptions): RunnerSpec {
  return {
    name: model.shortName,
    digest: model.stored.digest,
    details: detailsJson({
      parentModel: model.stored.parentModel ?? "",
      format: model.stored.config.model_format ?? "gguf",
      family: model.stored.config.model_family ?? model.gguf.architecture,
      families: model.stored.config.model_families ?? null,
      parameterSize: model.stored.config.model_type ?? model.gguf.parameterSize,
      quantizationLevel: model.stored.config.file_type ?? model.gguf.quantizationLevel,
    }),
    load: loadOptions(deps.config, model, eff.options),
  };
}

export async function schedule(
  deps: CoreDeps,
  model: ResolvedModel,
  eff: EffectiveOptions,
  keepAlive: WireKeepAlive | undefined,
): Promise<Lease> {
  for (const key of eff.ignored) deps.log.warn("invalid option provided", { option: key });
  // Ollama warns once per load; each request repeating it would flood the log, so debug here.
  const over = eff.numCtxOverTrained;
  if (over)
    deps.log.debug("requested context size too large for model", {
      num_ctx: over.requested,
      n_ctx_train: over.trained,
    });
  if (deps.config.numParallel > 1 && oneSequenceOnly(model))
    deps.log.debug("model architecture does not currently support parallel requests", {
      architecture: model.gguf.architecture,
    });
  return deps.scheduler.acquire(runnerSpec(deps, model, eff), toKeepAlive(keepAlive));
}

export { effectiveOptions };
