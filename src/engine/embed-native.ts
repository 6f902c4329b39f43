/**
 * Embedding one input, or ranking one query+document pair, per llama.cpp decode, without
 * node-llama-cpp's generation machinery.
 *
 * Why not one decode for a whole batch of inputs: llama.cpp pools each sequence of a batch into
 * its own vector, but the prebuilt addon reads back only sequence 0's (AddonContext::GetEmbedding
 * calls `llama_get_embeddings_seq(ctx, 0)`, falling back to `llama_get_embeddings_ith(ctx, -1)`),
 * and llama.cpp clears every pooled vector at the start of the next decode. So each input still
 * needs a decode of its own; what this file removes is the work around it.
 *
 * LlamaEmbeddingContext.getEmbeddingFor runs each input through LlamaContextSequence.evaluate:
 * a lock, a KV-range erase, a queued decode dispatched on the next event-loop turn, a token
 * iterator. Measured on a 2-layer model (32 short inputs, 1 thread) that was 0.2-0.5 ms an input,
 * a quarter to a third of the time; on a 135M model it is lost in the decode (~90 ms an input).
 * Here an input is: clear sequence 0, one batch, one decode, read the vector, the same native calls
 * the sequence makes, so vectors are bit-identical (test/embed-native.test.ts checks that).
 * LlamaRankingContext.rank runs each pair through the same sequence machinery, and its thread
 * count came from node-llama-cpp's own splitter, which knows nothing of tollama's contexts. Here a
 * pair is one decode like an embedding's, holding a share of the engine's ThreadShare as
 * generation does (so idle CPUs poll for it too). 200 short pairs on a 2-layer reranker: 0.73-0.86
 * s against 1.09 s through rank.
 *
 * These are node-llama-cpp internals (3.22.x, pinned in package.json). Every one is checked before
 * use; if any is missing, nativeEmbedder and nativeRanker return undefined and the caller uses
 * getEmbeddingFor or rank.
 */
import type { LlamaContext, LlamaEmbeddingContext, LlamaRankingContext, Token } from "node-llama-cpp";
import { decodeGate, type DecodeGate, type ThreadShare } from "./gate.js";

/** The addon calls used, as declared in node-llama-cpp's dist/bindings/AddonTypes.d.ts. */
interface AddonContext {
  initBatch(size: number): void;
  addToBatch(sequence: number, firstPosition: number, tokens: Uint32Array, outputs: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  disposeSequence(sequence: number): void;
  getEmbedding(inputLength: number, maxVectorSize?: number): Float64Array;
}

interface LlamaContextInternals {
  _ctx: AddonContext;
  readonly batchSize: number;
  readonly contextSize: number;
}

interface EmbeddingContextInternals {
  _llamaContext: LlamaContextInternals;
  /** Adds the BOS/EOS the model wants, in place. */
  _prepareInput(tokens: Token[]): void;
}

interface RankingContextInternals {
  _llamaContext: LlamaContextInternals;
  /** The pair as the model's rerank template (or BOS query EOS SEP document EOS) lays it out. */
  _getEvaluationInput(query: Token[], document: Token[]): Token[];
  /** True where the graph already applies a softmax to the classifier's output (qwen3). */
  readonly _currentArchRankingAlreadyNormalized: boolean;
}

export interface NativeEmbedder {
  /** `tokens` with BOS/EOS added where the model wants them (a copy). */
  prepare(tokens: readonly number[]): number[];
  /** The pooled vector of prepared, non-empty tokens; calls are serialised. */
  embed(prepared: readonly number[]): Promise<number[]>;
}

export interface NativeRanker {
  /** The tokens one query+document pair is evaluated as. */
  input(query: string, document: string): number[];
  /** The relevance score in [0, 1] of an input; 0 for an empty one. Calls are serialised. */
  score(input: readonly number[]): Promise<number>;
}

const SEQUENCE = 0;

function hasMethods(o: unknown, names: string[]): boolean {
  if (typeof o !== "object" || o === null) return false;
  const r = o as Record<string, unknown>;
  return names.every((n) => typeof r[n] === "function");
}

/** Decodes one whole input at a time on a pooling context and reads its pooled vector. */
type PooledDecode = (prepared: readonly number[], maxVectorSize?: number) => Promise<number[]>;

/**
 * The serialised decode for a pooling context, or undefined where node-llama-cpp's internals are
 * unknown. On Vulkan its decodes queue with generation's in the gate's one Vulkan queue (Vulkan
 * crashes when contexts decode in parallel), where node-llama-cpp's own evaluation would take a
 * lock of its own that generation never sees.
 */
function pooledDecoder(
  context: LlamaEmbeddingContext | LlamaRankingContext,
  share: ThreadShare,
): PooledDecode | undefined {
  const { _llamaContext: llamaContext } = context as unknown as Partial<EmbeddingContextInternals>;
  if (!llamaContext) return undefined;
  const addon = llamaContext._ctx;
  const addonOk = hasMethods(addon, [
    "initBatch",
    "addToBatch",
    "decodeBatch",
    "disposeSequence",
    "getEmbedding",
  ]);
  const gate = decodeGate(llamaContext as unknown as LlamaContext, share);
  const { batchSize, contextSize } = llamaContext;
  if (!addon || !addonOk || !gate || typeof batchSize !== "number" || typeof contextSize !== "number")
    return undefined;
  const parts = { addon, gate, batchSize, contextSize };
  let queue: Promise<unknown> = Promise.resolve();
  return (prepared, maxVectorSize) => {
    const run = queue.then(() => decodeOne(parts, prepared, maxVectorSize));
    queue = run.catch(() => undefined);
    return run;
  };
}

interface DecodeParts {
  addon: AddonContext;
  gate: DecodeGate;
  batchSize: number;
  contextSize: number;
}

async function decodeOne(
  { addon, gate, batchSize, contextSize }: DecodeParts,
  prepared: readonly number[],
  maxVectorSize: number | undefined,
): Promise<number[]> {
  // the same refusal as getEmbeddingFor's: pooling must see the whole input in one batch
  if (prepared.length >= contextSize || prepared.length > batchSize) {
    throw new Error("Input is longer than the usable context size");
  }
  const release = gate.hold();
  try {
    return await gate.decode(async () => {
      addon.disposeSequence(SEQUENCE);
      addon.initBatch(prepared.length);
      // every token an output, as llama.cpp wants for pooling (it would force it, with a warning)
      addon.addToBatch(SEQUENCE, 0, Uint32Array.from(prepared), Uint32Array.from(prepared.keys()));
      await addon.decodeBatch();
      return Array.from(addon.getEmbedding(prepared.length, maxVectorSize));
    });
  } finally {
    release();
  }
}

/** The direct embedding path for `context`, or undefined where it cannot be used. */
export function nativeEmbedder(
  context: LlamaEmbeddingContext,
  share: ThreadShare,
): NativeEmbedder | undefined {
  const internals = context as unknown as Partial<EmbeddingContextInternals>;
  if (!hasMethods(internals, ["_prepareInput"])) return undefined;
  const decode = pooledDecoder(context, share);
  if (!decode) return undefined;
  return {
    prepare(tokens) {
      const out = [...tokens] as Token[];
      internals._prepareInput!(out);
      return out;
    },
    embed(prepared) {
      return prepared.length === 0 ? Promise.resolve([]) : decode(prepared);
    },
  };
}

/**
 * The direct ranking path for `context`, or undefined where it cannot be used. A score is what
 * LlamaRankingContext.rank gives for a pair that fits the context: the classifier's first output,
 * through a sigmoid unless the graph already normalised it.
 */
export function nativeRanker(context: LlamaRankingContext, share: ThreadShare): NativeRanker | undefined {
  const internals = context as unknown as Partial<RankingContextInternals>;
  if (!hasMethods(internals, ["_getEvaluationInput"])) return undefined;
  if (typeof internals._currentArchRankingAlreadyNormalized !== "boolean") return undefined;
  const decode = pooledDecoder(context, share);
  if (!decode) return undefined;
  const normalized = internals._currentArchRankingAlreadyNormalized;
  // as LlamaRankingContext tokenizes either text: no special tokens, no leading space added
  const tokenize = (text: string) => context.model.tokenize(text, false, "trimLeadingSpace");
  return {
    input: (query, document) => internals._getEvaluationInput!(tokenize(query), tokenize(document)),
    async score(input) {
      if (input.length === 0) return 0;
      const [value] = await decode(input, 1);
      if (value === undefined) return 0;
      const score = normalized ? value : 1 / (1 + Math.exp(-value));
      // rank's floor: it takes the highest score over 0, so a NaN comes out as 0 there too
      return score > 0 ? score : 0;
    },
  };
}
