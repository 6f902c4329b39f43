/**
 * Embedding one input per llama.cpp decode, without node-llama-cpp's generation machinery.
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
 *
 * These are node-llama-cpp internals (3.22.x, pinned in package.json). Every one is checked before
 * use; if any is missing, nativeEmbedder returns undefined and the caller uses getEmbeddingFor.
 */
import type { LlamaContext, LlamaEmbeddingContext, Token } from "node-llama-cpp";
import { decodeGate, type DecodeGate, type ThreadShare } from "./gate.js";

/** The addon calls used, as declared in node-llama-cpp's dist/bindings/AddonTypes.d.ts. */
interface AddonContext {
  initBatch(size: number): void;
  addToBatch(sequence: number, firstPosition: number, tokens: Uint32Array, outputs: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  disposeSequence(sequence: number): void;
  getEmbedding(inputLength: number): Float64Array;
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

export interface NativeEmbedder {
  /** `tokens` with BOS/EOS added where the model wants them (a copy). */
  prepare(tokens: readonly number[]): number[];
  /** The pooled vector of prepared, non-empty tokens; calls are serialised. */
  embed(prepared: readonly number[]): Promise<number[]>;
}

const SEQUENCE = 0;

function hasMethods(o: unknown, names: string[]): boolean {
  if (typeof o !== "object" || o === null) return false;
  const r = o as Record<string, unknown>;
  return names.every((n) => typeof r[n] === "function");
}

function internalsOf(
  context: LlamaEmbeddingContext,
  share: ThreadShare,
): { internals: EmbeddingContextInternals; gate: DecodeGate } | undefined {
  const e = context as unknown as Partial<EmbeddingContextInternals>;
  const c = e._llamaContext;
  if (!hasMethods(e, ["_prepareInput"]) || !c) return undefined;
  const addonOk = hasMethods(c._ctx, [
    "initBatch",
    "addToBatch",
    "decodeBatch",
    "disposeSequence",
    "getEmbedding",
  ]);
  const gate = decodeGate(c as unknown as LlamaContext, share);
  return addonOk && gate && typeof c.batchSize === "number"
    ? { internals: e as EmbeddingContextInternals, gate }
    : undefined;
}

/**
 * The direct path for `context`, or undefined where it cannot be used: unknown internals, or
 * Vulkan, where LlamaContext serialises decodes across contexts with a lock this file cannot take.
 */
export function nativeEmbedder(
  context: LlamaEmbeddingContext,
  share: ThreadShare,
): NativeEmbedder | undefined {
  if (context.model.llama.gpu === "vulkan") return undefined;
  const found = internalsOf(context, share);
  if (!found) return undefined;
  const { internals, gate } = found;
  const llamaContext = internals._llamaContext;
  const addon = llamaContext._ctx;
  let queue: Promise<unknown> = Promise.resolve();

  async function decode(prepared: readonly number[]): Promise<number[]> {
    // the same refusal as getEmbeddingFor's: pooling must see the whole input in one batch
    if (prepared.length >= llamaContext.contextSize || prepared.length > llamaContext.batchSize) {
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
        return Array.from(addon.getEmbedding(prepared.length));
      });
    } finally {
      release();
    }
  }

  return {
    prepare(tokens) {
      const out = [...tokens] as Token[];
      internals._prepareInput(out);
      return out;
    },
    embed(prepared) {
      if (prepared.length === 0) return Promise.resolve([]);
      const run = queue.then(() => decode(prepared));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
