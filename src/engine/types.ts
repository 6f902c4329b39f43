/**
 * The one interface between tollama and the inference library. Everything above it (scheduler,
 * core) sees tokens and text only, so it can be driven by a scripted fake in unit tests.
 */

/** The K/V cache types llama-server takes (--cache-type-k/v), which Ollama passes on. */
export const KV_CACHE_TYPES = [
  "f16",
  "f32",
  "bf16",
  "q8_0",
  "q4_0",
  "q4_1",
  "iq4_nl",
  "q5_0",
  "q5_1",
] as const;
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];

/** Whether a cache type is quantized (llama.cpp then needs flash attention for the V cache). */
export function quantizedCache(t: KvCacheType): boolean {
  return !["f16", "f32", "bf16"].includes(t);
}

export interface LoadOptions {
  /** GGUF file. */
  path: string;
  /** Tokens per sequence (Ollama's num_ctx). */
  contextSize: number;
  /** Parallel sequences in the one context (OLLAMA_NUM_PARALLEL). */
  sequences: number;
  /** Tokens per llama.cpp batch (num_batch). */
  batchSize: number;
  /** CPU threads for decoding; always explicit (node-llama-cpp's default oversubscribes small machines). */
  threads: number;
  /**
   * True when the user chose `threads` (num_thread, OLLAMA_NUM_THREAD). Otherwise the engine may use
   * fewer where the CPU has little to do: one when every layer is on the GPU. Default false.
   */
  threadsChosen?: boolean | undefined;
  /** Layers to offload: "auto" fits by free VRAM; 0 keeps the model on the CPU. */
  gpuLayers: number | "auto";
  /** Memory-map the weights. undefined lets llama.cpp decide. */
  useMmap?: boolean | undefined;
  /** "auto" lets llama.cpp enable it where the model supports it. */
  flashAttention: boolean | "auto";
  kvCacheType: KvCacheType;
  /** LoRA adapters (GGUF paths). */
  adapters: string[];
  /** True for embedding models: the context computes embeddings rather than logits. */
  embedding?: boolean;
}

export interface Sampling {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  /** -1 picks a fresh seed per request. */
  seed: number;
  repeatPenalty: number;
  /** How many recent tokens the penalties look at; 0 disables, -1 means the whole context. */
  repeatLastN: number;
  presencePenalty: number;
  frequencyPenalty: number;
  /** Constrains output: "json" for any JSON value, or a JSON schema object. */
  format?: "json" | Record<string, unknown> | undefined;
}

export interface GenerateStep {
  token: number;
  /** Text this token completes; "" while a multi-byte character is still incomplete. */
  text: string;
  /** Present when asked for with `logprobs`. */
  logprob?: Logprob | undefined;
}

export interface TokenLogprob {
  /** The token's own text (special tokens as written, a leading space kept). */
  token: string;
  /** Natural log of its probability under the raw logits (before any sampling settings). */
  logprob: number;
}

export interface Logprob extends TokenLogprob {
  /** The most likely tokens at this position, most likely first. */
  top: TokenLogprob[];
}

export interface ModelFacts {
  /** Bytes the model and its context hold in all (/api/ps's size). */
  sizeBytes: number;
  /** The part of sizeBytes in VRAM (size_vram); equal to it with every layer offloaded. */
  vramBytes: number;
  /** CPU threads its context decodes with (see threads.ts); default: the threads it was loaded with. */
  threads?: number | undefined;
}

export interface LoadedModel {
  readonly facts: ModelFacts;
  readonly contextSize: number;
  readonly sequences: number;
  /** Rendered prompts contain special tokens as text (`<|im_start|>`), so they are parsed as such. */
  tokenize(text: string): number[];
  /** Special tokens come out as their text (`<|im_start|>`), so tokenize() reads them back. */
  detokenize(tokens: readonly number[]): string;
  /** BOS is added by tollama where the model asks for it, so cached prefixes compare equal. */
  readonly addBos: boolean;
  readonly bosToken: number | undefined;
  isEndOfGeneration(token: number): boolean;
  /** A free sequence, preferring the one whose cache shares the longest prefix with `tokens`. */
  acquireSequence(tokens: readonly number[]): EngineSequence | undefined;
  /** Pooled embeddings; present on models loaded with `embedding` that pool into vectors. */
  readonly embedder?: Embedder | undefined;
  /** Relevance scores; present on models loaded with `embedding` whose pooling is rank (rerankers). */
  readonly ranker?: Ranker | undefined;
  dispose(): Promise<void>;
}

/**
 * An embedding context: one vector per input. Inputs are token lists (tokenize() with special
 * tokens parsed); the engine adds BOS/EOS where the model wants them.
 */
export interface Embedder {
  /** Most tokens one input may have once BOS/EOS are added. */
  readonly maxTokens: number;
  /** How many tokens the engine adds to `tokens` (BOS/EOS not already there). */
  addedTokens(tokens: readonly number[]): number;
  /** Vectors as the model pools them (not normalised), in input order; `tokens` counts specials. */
  embed(
    inputs: ReadonlyArray<readonly number[]>,
    signal?: AbortSignal,
  ): Promise<{ vectors: number[][]; tokens: number }>;
}

/** A reranker: the probability that each document is relevant to the query. */
export interface Ranker {
  /** Most tokens one query+document pair may have, template included. */
  readonly maxTokens: number;
  /** Tokens one query+document pair takes, template and specials included. */
  inputLength(query: string, document: string): number;
  /** Scores in [0, 1], in document order; `tokens` is the total evaluated. */
  rank(
    query: string,
    documents: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ scores: number[]; tokens: number }>;
}

export interface EngineSequence {
  /** Tokens whose state is in the KV cache. */
  readonly cachedTokens: readonly number[];
  /**
   * Evaluates `prompt` (reusing the cached prefix) then yields sampled tokens until the caller stops
   * iterating, the signal aborts, or an end-of-generation token comes (not yielded).
   * `onPromptDone` fires once the prompt is in the cache, with how many tokens were evaluated.
   */
  generate(
    prompt: readonly number[],
    sampling: Sampling,
    opts: {
      signal?: AbortSignal | undefined;
      onPromptDone?: (evaluated: number) => void;
      shift: boolean;
      numKeep: number;
      /** Report each token's log-probability and `top` alternatives (0-20); undefined: none. */
      logprobs?: { top: number } | undefined;
      /** Most tokens to sample (num_predict); undefined: no limit. */
      maxTokens?: number | undefined;
    },
  ): AsyncGenerator<GenerateStep, void, void>;
  /** Returns the sequence to its model's pool, keeping its cache for the next request. */
  release(): void;
}

export interface Engine {
  loadModel(opts: LoadOptions, signal?: AbortSignal): Promise<LoadedModel>;
  /** Bytes of RAM and VRAM that loading with these options would take. */
  estimate(opts: LoadOptions): Promise<{ ram: number; vram: number }>;
  /** Total and free memory as the engine sees it (RAM, and VRAM where there is a GPU). */
  memory(): Promise<{
    ramFree: number;
    ramTotal: number;
    /** Free VRAM less what no model may take (OLLAMA_GPU_OVERHEAD, Ollama's per-GPU minimum). */
    vramFree: number;
    vramTotal: number;
    gpu: string | false;
  }>;
  dispose(): Promise<void>;
}
