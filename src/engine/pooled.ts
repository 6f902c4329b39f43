/**
 * Models loaded for pooling rather than generation: embedding models get node-llama-cpp's
 * embedding context, rerankers (rank pooling with a classifier head) its ranking context. Only
 * types come from node-llama-cpp here; llama.ts hands over the loaded model.
 *
 * Batching: node-llama-cpp reads a pooled result from sequence 0 only (its native getEmbedding
 * calls llama_get_embeddings_seq(ctx, 0)), so both contexts hold one sequence and evaluate one
 * input per decode, under a lock. What is shared across a batch of inputs is everything else: one
 * context per loaded model, created once, and one lease for the whole request. Embeddings skip
 * node-llama-cpp's per-input sequence machinery where they can, and so do rankings (embed-native.ts
 * says how and why).
 */
import type { LlamaEmbeddingContext, LlamaModel, LlamaRankingContext, Token } from "node-llama-cpp";
import { nativeEmbedder, nativeRanker } from "./embed-native.js";
import type { ThreadShare } from "./gate.js";
import type { Embedder, LoadedModel, LoadOptions, Ranker } from "./types.js";
import { loadedSizes } from "./estimate.js";

/** llama.cpp's LLAMA_POOLING_TYPE_RANK. */
export const POOLING_RANK = 4;

export function poolingType(model: LlamaModel): number | undefined {
  const arch = String(model.fileInfo.metadata.general.architecture);
  const meta = model.fileInfo.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const value = meta[arch]?.pooling_type;
  return typeof value === "number" ? value : undefined;
}

/** `partlyOffloaded`: skip node-llama-cpp's VRAM check, as for generation contexts (llama.ts). */
export async function openPooledModel(
  model: LlamaModel,
  load: LoadOptions,
  partlyOffloaded: boolean,
  share: ThreadShare,
): Promise<LoadedModel> {
  // Ollama caps num_ctx at the trained length for embeddings. The whole input must be one llama.cpp
  // batch: node-llama-cpp splits longer ones, and pooling would then see only the last piece.
  const contextSize = Math.max(8, Math.min(load.contextSize, model.trainContextSize || load.contextSize));
  const common = {
    contextSize,
    batchSize: contextSize,
    threads: load.threads,
    ignoreMemorySafetyChecks: partlyOffloaded,
  };
  let embedder: Embedder | undefined;
  let ranker: Ranker | undefined;
  let dispose: () => Promise<void>;
  if (poolingType(model) === POOLING_RANK) {
    const context = await model.createRankingContext(common);
    ranker = wrapRanking(context, share);
    dispose = () => context.dispose();
  } else {
    const context = await model.createEmbeddingContext(common);
    embedder = wrapEmbedding(context, contextSize, share);
    dispose = () => context.dispose();
  }
  const sizes = loadedSizes(model, { ...load, embedding: true, sequences: 1 }, model.size);
  return {
    facts: {
      ...sizes,
      threads: load.threads,
    },
    contextSize,
    sequences: 1,
    addBos: model.tokens.shouldPrependBosToken,
    bosToken: model.tokens.bos ?? undefined,
    tokenize: (text) => model.tokenize(text, true),
    detokenize: (tokens) => model.detokenize(tokens as Token[], true),
    isEndOfGeneration: (token) => model.isEogToken(token as Token),
    // no generation context: the scheduler never hands out a sequence of a pooled model
    acquireSequence: () => undefined,
    embedder,
    ranker,
    async dispose() {
      await dispose();
      await model.dispose();
    },
  };
}

function wrapEmbedding(context: LlamaEmbeddingContext, contextSize: number, share: ThreadShare): Embedder {
  // node-llama-cpp refuses inputs of contextSize tokens or more (specials included)
  const lengthOf = (tokens: readonly number[]) => context.calculateInputLength([...tokens] as Token[]);
  const native = nativeEmbedder(context, share);
  const embedOne = async (input: readonly number[]) => {
    if (input.length === 0) return { vector: [], tokens: 0 };
    if (native) {
      const prepared = native.prepare(input);
      return { vector: await native.embed(prepared), tokens: prepared.length };
    }
    // a copy: node-llama-cpp adds BOS/EOS to the array it is given
    const embedding = await context.getEmbeddingFor([...input] as Token[]);
    return { vector: [...embedding.vector], tokens: lengthOf(input) };
  };
  return {
    maxTokens: contextSize - 1,
    addedTokens: (tokens) => (tokens.length === 0 ? 0 : lengthOf(tokens) - tokens.length),
    async embed(inputs, signal) {
      const vectors: number[][] = [];
      let tokens = 0;
      for (const input of inputs) {
        signal?.throwIfAborted();
        const one = await embedOne(input);
        vectors.push(one.vector);
        tokens += one.tokens;
      }
      return { vectors, tokens };
    },
  };
}

function wrapRanking(context: LlamaRankingContext, share: ThreadShare): Ranker {
  const native = nativeRanker(context, share);
  const rankOne = async (query: string, document: string) => {
    if (!native) {
      return {
        score: await context.rank(query, document),
        tokens: context.calculateInputLength(query, document),
      };
    }
    const input = native.input(query, document);
    return { score: await native.score(input), tokens: input.length };
  };
  return {
    maxTokens: context.contextSize - 1,
    inputLength: (query, document) => context.calculateInputLength(query, document),
    async rank(query, documents, signal) {
      const scores: number[] = [];
      let tokens = 0;
      for (const document of documents) {
        signal?.throwIfAborted();
        const one = await rankOne(query, document);
        scores.push(one.score);
        tokens += one.tokens;
      }
      return { scores, tokens };
    },
  };
}
