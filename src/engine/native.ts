/**
 * The parts of node-llama-cpp's native addon that tollama's own batch loop drives: a context's
 * batch, decode, sampling and KV-cache calls, and samplers. node-llama-cpp marks them internal, so
 * they are reached here only, checked at load time, and the package is pinned to an exact version.
 * Its public evaluate() loop batches sequences on its own schedule and lost half the parallel
 * throughput llama.cpp reaches on small machines; see src/engine/batcher.ts.
 */
import type { LlamaContext, LlamaGrammarEvaluationState, LlamaModel } from "node-llama-cpp";
import { decodeGate, type ThreadShare } from "./gate.js";

/** One llama.cpp context as the addon exposes it. */
export interface NativeContext {
  /** Holds the context and a share of the CPU threads for a run of decodes; returns the release. */
  hold(): () => void;
  initBatch(size: number): void;
  /** Returns the batch indexes of the logits asked for by `logitIndexes` (indexes into `tokens`). */
  addToBatch(seq: number, firstPos: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  /**
   * Decodes the batch, then samples at each of `samples` (a batch index and its sampler). Resolves
   * once the decode is done (rejects if it fails) with one promise per sample: the token, or -1
   * when nothing can be sampled.
   */
  decodeAndSample(samples: ReadonlyArray<SampleAt>): Promise<Array<Promise<number>>>;
  /**
   * Runs `sampler` on the logits at `batchLogitIndex` and reports logits from what its chain leaves:
   * those of `tokens` (and of the token it picks, with `picked`), and the first `top` candidates;
   * with `weight`, also the sum of exp(logit - highest logit) over all candidates left.
   */
  readLogits(batchLogitIndex: number, sampler: NativeSampler, request: LogitRequest): Promise<LogitReport>;
  /** Drops every cell of the sequence. */
  disposeSequence(seq: number): void;
  /** Drops cells at positions [start, end); end -1 means to the end. False when it can't. */
  removeTokenCellsFromSequence(seq: number, start: number, end: number): boolean;
  /** Moves cells at positions [start, end) by `delta`. */
  shiftSequenceTokenCells(seq: number, start: number, end: number, delta: number): void;
  /** The lowest position the sequence still has cells for (-1 when empty). */
  getSequenceKvCacheMinPosition(seq: number): number;
}

export interface SampleAt {
  index: number;
  sampler: NativeSampler;
}

export interface LogitRequest {
  tokens: readonly number[];
  picked: boolean;
  top: number;
  weight: boolean;
}

export interface LogitReport {
  /** Highest logit first. */
  logits: Array<{ token: number; logit: number }>;
  /** Sum of exp(logit - highest logit) over the candidates; undefined unless asked for. */
  weight: number | undefined;
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
  _ctx?: Partial<AddonContext>;
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
  "getSequenceKvCacheMinPosition",
] as const;

/** The addon context's own decode and sampling calls, each one job on libuv's thread pool. */
type AddonContext = Omit<NativeContext, "hold" | "decodeAndSample" | "readLogits"> & {
  decodeBatch(): Promise<void>;
  sampleToken(batchLogitIndex: number, sampler: NativeSampler): Promise<number>;
};

/**
 * libuv reads UV_THREADPOOL_SIZE once, when its pool starts; what the variable said when this module
 * loaded is the closest stand-in (a later change does not resize the pool).
 */
const poolSizeAtLoad = { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE };

/**
 * True when libuv's thread pool has one thread (bin/tollama.cjs sets UV_THREADPOOL_SIZE=1 before
 * the pool starts). Its jobs then run one after another in the order queued, so samplings queued
 * right behind a decode run the moment it ends: one trip through the event loop less per token
 * (about 0.1 ms here). With more threads a sampling could run beside the decode, so they wait for
 * it instead.
 */
export function serialWorkQueue(env: NodeJS.ProcessEnv = poolSizeAtLoad): boolean {
  return env.UV_THREADPOOL_SIZE?.trim() === "1";
}

/**
 * Starts the decode and the samplings after it. `pipelined` (a one-thread pool): samplings are
 * queued at once, behind the decode. Otherwise they start once it is done.
 */
export async function decodeThenSample(
  decode: () => Promise<void>,
  sample: (at: SampleAt) => Promise<number>,
  samples: ReadonlyArray<SampleAt>,
  pipelined: boolean,
): Promise<Array<Promise<number>>> {
  const decoded = decode();
  if (!pipelined) {
    await decoded;
    return samples.map(sample);
  }
  const tokens = samples.map(sample);
  try {
    await decoded;
  } catch (err) {
    // They sample whatever the failed decode left (no logits, or stale ones): never read, but
    // waited for, so nothing of this step still runs once its jobs have failed.
    await Promise.allSettled(tokens);
    throw err;
  }
  return tokens;
}

/** The addon context, its decodes passed through a decode gate sharing `share`. */
export function nativeContext(context: LlamaContext, share: ThreadShare): NativeContext {
  const ctx = (context as unknown as Internals)._ctx;
  for (const name of contextMethods) {
    if (typeof ctx?.[name] !== "function") throw incompatible(`context.${name}`);
  }
  const gate = decodeGate(context, share);
  if (!gate) throw incompatible("context's decode internals");
  const addon = ctx as AddonContext;
  const pipelined = serialWorkQueue();

  return {
    hold: () => gate.hold(),
    initBatch: (size) => addon.initBatch(size),
    addToBatch: (seq, pos, tokens, logits) => addon.addToBatch(seq, pos, tokens, logits),
    decodeAndSample: (samples) =>
      gate.decode(() =>
        decodeThenSample(
          () => addon.decodeBatch(),
          (s) => addon.sampleToken(s.index, s.sampler),
          samples,
          pipelined,
        ),
      ),
    readLogits: async (index, sampler, request) =>
      logitReport(await readLogits(addon, index, sampler, request)),
    disposeSequence: (seq) => addon.disposeSequence(seq),
    removeTokenCellsFromSequence: (seq, start, end) => addon.removeTokenCellsFromSequence(seq, start, end),
    shiftSequenceTokenCells: (seq, start, end, delta) =>
      addon.shiftSequenceTokenCells(seq, start, end, delta),
    getSequenceKvCacheMinPosition: (seq) => addon.getSequenceKvCacheMinPosition(seq),
  };
}

/**
 * The addon's sampleToken with its optional reports: (index, sampler, probabilities, confidence,
 * [token filter, highest, lowest, picked, top count], total weight), resolving to
 * [token, probabilities, confidence, logits as token/value pairs, total weight].
 */
type ReportingSampleToken = (
  this: AddonContext,
  index: number,
  sampler: NativeSampler,
  probabilities: false,
  confidence: false,
  logits: [number[], false, false, boolean, number],
  weight: boolean,
) => Promise<unknown[]>;

function readLogits(
  addon: AddonContext,
  index: number,
  sampler: NativeSampler,
  request: LogitRequest,
): Promise<unknown[]> {
  const sample = Reflect.get(addon, "sampleToken") as unknown as ReportingSampleToken;
  const logits: [number[], false, false, boolean, number] = [
    [...request.tokens],
    false,
    false,
    request.picked,
    request.top,
  ];
  return sample.call(addon, index, sampler, false, false, logits, request.weight);
}

/** Parses the addon's reply to readLogits. */
export function logitReport(reply: unknown[]): LogitReport {
  const [, , , pairs, weight] = reply;
  const byToken = new Map<number, number>();
  if (Array.isArray(pairs)) {
    for (let i = 0; i + 1 < pairs.length; i += 2) byToken.set(Number(pairs[i]), Number(pairs[i + 1]));
  }
  const logits = [...byToken].map(([token, logit]) => ({ token, logit }));
  logits.sort((a, b) => b.logit - a.logit);
  return {
    logits,
    weight: typeof weight === "number" ? weight : undefined,
  };
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
