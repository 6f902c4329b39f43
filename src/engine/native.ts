/**
 * The parts of node-llama-cpp's native addon that tollama's own batch loop drives: a context's
 * batch, decode, sampling and KV-cache calls, and samplers. node-llama-cpp marks them internal, so
 * they are reached here only, checked at load time, and the package is pinned to an exact version.
 * Its public evaluate() loop batches sequences on its own schedule and lost half the parallel
 * throughput llama.cpp reaches on small machines; see src/engine/batcher.ts.
 */
import type { LlamaContext, LlamaGrammarEvaluationState, LlamaModel } from "node-llama-cpp";

/** One llama.cpp context as the addon exposes it. */
export interface NativeContext {
  initBatch(size: number): void;
  /** Returns the batch indexes of the logits asked for by `logitIndexes` (indexes into `tokens`). */
  addToBatch(seq: number, firstPos: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  /** Samples from the logits at `batchLogitIndex`; -1 when nothing can be sampled. */
  sampleToken(batchLogitIndex: number, sampler: NativeSampler): Promise<number>;
  /** Drops every cell of the sequence. */
  disposeSequence(seq: number): void;
  /** Drops cells at positions [start, end); end -1 means to the end. False when it can't. */
  removeTokenCellsFromSequence(seq: number, start: number, end: number): boolean;
  /** Moves cells at positions [start, end) by `delta`. */
  shiftSequenceTokenCells(seq: number, start: number, end: number, delta: number): void;
}

/** Sampler settings in the addon's terms; only the keys given change the sampler chain. */
export interface SamplerConfig {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  seed: number;
  repeatPenalty?: number;
  repeatPenaltyMaxTokens?: number;
  /** The history the penalties start from; sampled tokens are added by the addon itself. */
  repeatPenaltyTokens?: Uint32Array;
  repeatPenaltyPresencePenalty?: number;
  repeatPenaltyFrequencyPenalty?: number;
  grammarEvaluationState?: unknown;
}

export interface NativeSampler {
  applyConfig(config: SamplerConfig): void;
  dispose(): void;
}

interface Internals {
  _ctx?: Partial<NativeContext>;
  _model?: unknown;
  _llama?: { _bindings?: { AddonSampler?: new (model: unknown) => NativeSampler } };
  _state?: unknown;
}

const contextMethods = [
  "initBatch",
  "addToBatch",
  "decodeBatch",
  "sampleToken",
  "disposeSequence",
  "removeTokenCellsFromSequence",
  "shiftSequenceTokenCells",
] as const;

export function nativeContext(context: LlamaContext): NativeContext {
  const ctx = (context as unknown as Internals)._ctx;
  for (const name of contextMethods) {
    if (typeof ctx?.[name] !== "function") throw incompatible(`context.${name}`);
  }
  return ctx as NativeContext;
}

export function samplerFactory(model: LlamaModel): (config: SamplerConfig) => NativeSampler {
  const m = model as unknown as Internals;
  const Sampler = m._llama?._bindings?.AddonSampler;
  if (typeof Sampler !== "function" || m._model === undefined) throw incompatible("AddonSampler");
  return (config) => {
    const sampler = new Sampler(m._model);
    sampler.applyConfig(config);
    return sampler;
  };
}

/** The addon handle of a grammar state, for SamplerConfig.grammarEvaluationState. */
export function nativeGrammarState(state: LlamaGrammarEvaluationState): unknown {
  const handle = (state as unknown as Internals)._state;
  if (handle === undefined) throw incompatible("grammar state");
  return handle;
}

function incompatible(what: string): Error {
  return new Error(
    `node-llama-cpp's ${what} is not what tollama expects; install the node-llama-cpp version package.json pins`,
  );
}
