/**
 * The engine over node-llama-cpp: the only module that imports it. One llama.cpp context per
 * loaded model holds `sequences` independent sequences; node-llama-cpp batches the evaluations
 * of all busy sequences into one decode per step, which is continuous batching.
 */
import os from "node:os";
import {
  getLlama,
  getLlamaGpuTypes,
  LlamaGrammarEvaluationState,
  LlamaLogLevel,
  type Llama,
  type LlamaGpuType,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { Batcher, sharedPrefix, type Slot } from "./batcher.js";
import { IncrementalDetokenizer } from "./detokenizer.js";
import {
  nativeContext,
  nativeGrammarState,
  samplerFactory,
  serialWorkQueue,
  type NativeSampler,
  type SamplerConfig,
} from "./native.js";
import { openPooledModel } from "./pooled.js";
import { LogprobReader } from "./logprobs.js";
import { TokenPieces } from "./pieces.js";
import { contextThreads } from "./threads.js";
import { ThreadShare } from "./gate.js";
import { createIdlePoll } from "./idle-poll.js";
import { cacheTypes, estimateLoad, fitGpuLayers, loadedSizes, minimumGpuMemory } from "./estimate.js";
import { checkGpu } from "./gpu-check.js";
import { watchLoad } from "./stall.js";
import type { Engine, EngineSequence, LoadedModel, LoadOptions, Sampling } from "./types.js";

export interface LlamaEngineOptions {
  /** Upper bound for any context's threads (node-llama-cpp's maxThreads). */
  maxThreads: number;
  /** "cpu" disables GPU backends (OLLAMA_LLM_LIBRARY=cpu); default tries CUDA, Vulkan, Metal. */
  library?: string | undefined;
  /** Forward llama.cpp's own log lines (OLLAMA_DEBUG). Default false. */
  debug?: boolean;
  /**
   * Decides whether a GPU backend really computes, once per backend and process, before this process
   * loads it: a binary can load fine and still abort the process at its first decode. Not run when
   * the environment has TOLLAMA_SKIP_GPU_CHECK=1. Default: checkGpu (a child process decodes a tiny
   * model on it).
   */
  gpuCheck?: (gpu: string) => Promise<{ ok: boolean; reason?: string }>;
  /** Told of each GPU backend that failed its check (the next one, or the CPU, is used). Default: none. */
  onGpuFallback?: (gpu: string, reason: string) => void;
  /** Bytes of each GPU's memory kept free of models (OLLAMA_GPU_OVERHEAD). Default 0. */
  gpuOverhead?: number;
  /** Told how many layers a load with num_gpu unset offloads, and why. Default: none. */
  onGpuFit?: (fit: GpuFit) => void;
  /** Keep idle CPUs polling while any context decodes (src/engine/idle-poll.ts). Default false. */
  idlePoll?: boolean;
  /** Told why the idle-poll request could not be made (it is then not tried again). Default: none. */
  onIdlePollError?: (message: string) => void;
  /** A load that makes no progress for this long fails (OLLAMA_LOAD_TIMEOUT). Default: never. */
  loadTimeoutMs?: number | undefined;
}

/** How a load with num_gpu unset was fitted to the GPU's free memory. */
export interface GpuFit {
  layers: number;
  totalLayers: number;
  /** Free VRAM left for the model after the reserves, in bytes. */
  available: number;
  free: number;
}

/**
 * Opens llama.cpp on the first GPU backend that passes its self-test, else on the CPU. The test runs
 * in a child process before this process loads any GPU binary: a broken one aborts whoever runs its
 * kernels, and a binary once loaded stays loaded. `gpus` lists the GPU backends node-llama-cpp finds
 * usable here, in its order of preference (none on a machine without GPU drivers: then nothing is
 * checked). Exported for tests.
 */
export async function openCheckedLlama<L>(
  open: (gpu: LlamaGpuType | "auto") => Promise<L>,
  gpus: () => Promise<LlamaGpuType[]>,
  opts: Pick<LlamaEngineOptions, "library" | "gpuCheck" | "onGpuFallback">,
  env: NodeJS.ProcessEnv = process.env,
): Promise<L> {
  if (opts.library === "cpu") return open(false);
  if (env.TOLLAMA_SKIP_GPU_CHECK === "1") return open("auto");
  const check = opts.gpuCheck ?? checkGpu;
  for (const gpu of await gpus()) {
    if (gpu === false) continue;
    const result = await check(gpu).catch((err: unknown) => ({
      ok: false,
      reason: `the check itself failed: ${err instanceof Error ? err.message : String(err)}`,
    }));
    if (result.ok) return open(gpu);
    opts.onGpuFallback?.(gpu, result.reason ?? "no reason given");
  }
  return open(false);
}

const isMac = process.platform === "darwin";

export function createLlamaEngine(opts: LlamaEngineOptions): Engine {
  let llamaPromise: Promise<Llama> | undefined;
  const poll = opts.idlePoll ? createIdlePoll({ onError: opts.onIdlePollError }) : undefined;
  // Two models decoding at once split the cores instead of oversubscribing them; on a one-thread
  // libuv pool their decodes take turns instead, each with every thread it wants.
  const share = new ThreadShare(
    opts.maxThreads,
    poll && ((busy) => (busy ? poll.start() : poll.stop())),
    serialWorkQueue(),
  );
  const llama = () =>
    (llamaPromise ??= openCheckedLlama(
      (gpu) =>
        getLlama({
          gpu,
          build: "never",
          maxThreads: opts.maxThreads,
          // What node-llama-cpp keeps free when it checks a context against VRAM: Ollama's reserve,
          // as the layer fit uses (its own default is 6% of the card, up to 1 GiB).
          vramPadding: gpuReserve(gpu === "auto" && isMac ? "metal" : gpu, opts),
          logLevel: opts.debug ? LlamaLogLevel.debug : LlamaLogLevel.error,
          progressLogs: false,
        }),
      () => getLlamaGpuTypes("supported"),
      opts,
    ));

  return {
    async loadModel(load, signal) {
      const l = await llama();
      const watch = watchLoad(opts.loadTimeoutMs, signal);
      try {
        // A layer count, an explicit mmap choice and no safety checks are what keep node-llama-cpp
        // from resolving the load in its simulator (see fitGpuLayers); tollama's scheduler has
        // already checked the memory.
        const model = await l.loadModel({
          modelPath: load.path,
          gpuLayers: await gpuLayersFor(l, load, opts),
          useMmap: load.useMmap ?? l.supportsMmap,
          ignoreMemorySafetyChecks: true,
          loadSignal: watch.signal,
          onLoadProgress: () => watch.progress(),
        });
        try {
          return await openModel(l, model, load, share, watch.signal);
        } catch (err) {
          await model.dispose();
          throw err;
        }
      } catch (err) {
        throw watch.failure(err);
      } finally {
        watch.stop();
      }
    },
    async estimate(load) {
      return estimateLoad(await llama(), load);
    },
    async memory() {
      const l = await llama();
      const vram = l.gpu === false ? { total: 0, available: 0 } : await gpuMemory(l, opts);
      return {
        ramFree: os.freemem(),
        ramTotal: os.totalmem(),
        vramFree: vram.available,
        vramTotal: vram.total,
        gpu: l.gpu,
      };
    },
    async dispose() {
      if (llamaPromise) await (await llamaPromise).dispose();
    },
  };
}

/** VRAM no model may take: OLLAMA_GPU_OVERHEAD plus Ollama's per-GPU minimum. */
function gpuReserve(gpu: string | false, opts: LlamaEngineOptions): number {
  return (opts.gpuOverhead ?? 0) + minimumGpuMemory(gpu);
}

/** The GPU's memory, with what models may use of it as Ollama's scheduler counts it (`available`). */
async function gpuMemory(llama: Llama, opts: LlamaEngineOptions) {
  const { total, free } = await llama.getVramState();
  return { total, free, available: Math.max(0, free - gpuReserve(llama.gpu, opts)) };
}

/** num_gpu as llama.cpp gets it: unset (-1) fits by free VRAM, as Ollama does. */
async function gpuLayersFor(llama: Llama, load: LoadOptions, opts: LlamaEngineOptions): Promise<number> {
  if (llama.gpu === false) return 0;
  if (load.gpuLayers !== "auto") return load.gpuLayers;
  const { free, available } = await gpuMemory(llama, opts);
  const fit = await fitGpuLayers(llama, load, available);
  opts.onGpuFit?.({ ...fit, available, free });
  return fit.layers;
}

/**
 * Whether the GPU holds some layers but not all. node-llama-cpp then still counts llama.cpp's
 * compute buffers against the VRAM the layer fit has just filled down to the reserve, and refuses
 * the context ("too large for the available VRAM") where Ollama loads it; the scheduler has checked
 * the memory already. With every layer offloaded its check passes and is kept.
 */
function partlyOffloaded(llama: Llama, model: LlamaModel): boolean {
  return llama.gpu !== false && model.gpuLayers < model.fileInsights.totalLayers;
}

async function openModel(
  llama: Llama,
  model: LlamaModel,
  load: LoadOptions,
  share: ThreadShare,
  signal: AbortSignal,
): Promise<LoadedModel> {
  // embedding models and rerankers get a pooling context instead of a generation one
  if (load.embedding) return openPooledModel(model, load, partlyOffloaded(llama, model), share);
  const threads = contextThreads(
    load.threads,
    load.threadsChosen ?? false,
    model.gpuLayers,
    model.fileInsights.totalLayers,
  );
  const context = await model.createContext({
    contextSize: load.contextSize,
    sequences: load.sequences,
    batchSize: Math.max(load.batchSize, load.sequences),
    threads,
    flashAttention: load.flashAttention,
    experimentalKvCacheKeyType: load.kvCacheType === "f16" ? undefined : cacheTypes[load.kvCacheType],
    experimentalKvCacheValueType: load.kvCacheType === "f16" ? undefined : cacheTypes[load.kvCacheType],
    lora:
      load.adapters.length > 0 ? { adapters: load.adapters.map((filePath) => ({ filePath })) } : undefined,
    ignoreMemorySafetyChecks: partlyOffloaded(llama, model),
    failedCreationRemedy: false,
    createSignal: signal,
  });
  const batcher = new Batcher(nativeContext(context, share), {
    contextSize: context.contextSize,
    batchSize: context.batchSize,
    slidingWindow: model.fileInsights.swaSize,
    isEndOfGeneration: (token) => model.isEogToken(token as Token),
  });
  const newSampler = samplerFactory(model);
  const slots = Array.from({ length: load.sequences }, (_, id) => ({
    slot: { id, tokens: [] as number[] },
    busy: false,
  }));
  const grammars = new GrammarCache(llama);
  const addBos = model.tokens.shouldPrependBosToken;
  const bos = model.tokens.bos ?? undefined;
  const sizes = loadedSizes(model, load, model.size + context.stateSize);
  const sequences = {
    model,
    batcher,
    newSampler,
    grammars,
    contextSize: context.contextSize,
    pieces: new TokenPieces(model),
  };

  return {
    facts: {
      ...sizes,
      threads,
    },
    contextSize: context.contextSize,
    sequences: load.sequences,
    addBos,
    bosToken: bos,
    tokenize: (text) => model.tokenize(text, true),
    detokenize: (tokens) => model.detokenize(tokens as Token[], true),
    isEndOfGeneration: (token) => model.isEogToken(token as Token),
    acquireSequence(tokens) {
      let best: (typeof slots)[number] | undefined;
      let bestShared = -1;
      for (const entry of slots) {
        if (entry.busy) continue;
        const shared = sharedPrefix(entry.slot.tokens, tokens);
        if (shared > bestShared) [best, bestShared] = [entry, shared];
      }
      if (!best) return undefined;
      best.busy = true;
      const entry = best;
      return wrapSequence(sequences, entry.slot, () => (entry.busy = false));
    },
    async dispose() {
      await batcher.close();
      await context.dispose();
      await model.dispose();
    },
  };
}

class GrammarCache {
  private readonly cache = new Map<string, Promise<LlamaGrammar>>();
  constructor(private readonly llama: Llama) {}

  get(format: "json" | Record<string, unknown>): Promise<LlamaGrammar> {
    const key = format === "json" ? "json" : JSON.stringify(format);
    let g = this.cache.get(key);
    if (!g) {
      // A schema-less "json" accepts any JSON value, like Ollama's json format.
      g =
        format === "json"
          ? this.llama.getGrammarFor("json")
          : this.llama.createGrammarForJsonSchema(format as never);
      this.cache.set(key, g);
      g.catch(() => this.cache.delete(key));
    }
    return g;
  }
}

interface SequenceParts {
  model: LlamaModel;
  batcher: Batcher;
  newSampler: (config: SamplerConfig) => NativeSampler;
  grammars: GrammarCache;
  contextSize: number;
  pieces: TokenPieces;
}

function wrapSequence(parts: SequenceParts, slot: Slot, free: () => void): EngineSequence {
  const { model, batcher } = parts;
  let released = false;
  return {
    get cachedTokens() {
      return slot.tokens;
    },
    release() {
      if (released) return;
      released = true;
      free();
    },
    async *generate(prompt, sampling, opts) {
      const grammar = sampling.format ? await parts.grammars.get(sampling.format) : undefined;
      if (opts.signal?.aborted) return;
      const sampler = parts.newSampler(samplerConfig(model, sampling, grammar, prompt, parts.contextSize));
      const tokens = batcher.start(slot, {
        prompt,
        sampler,
        shift: opts.shift,
        numKeep: opts.numKeep,
        onPromptDone: opts.onPromptDone,
        logprobs: opts.logprobs ? new LogprobReader(parts.newSampler, opts.logprobs.top) : undefined,
        maxTokens: opts.maxTokens,
      });
      const stop = () => tokens.cancel();
      opts.signal?.addEventListener("abort", stop, { once: true });
      const detok = new IncrementalDetokenizer(
        (ts, last) => model.detokenize(ts as Token[], false, last as Token[]),
        prompt,
      );
      const tail = grammar ? new GrammarTail() : undefined;
      try {
        for await (const { token, logprob: raw } of tokens) {
          const text = detok.push(token);
          const logprob = raw && parts.pieces.logprob(raw);
          if (!tail) {
            yield { token, text, logprob };
            continue;
          }
          const out = tail.push(text);
          if (out.stop) return;
          yield { token, text: out.emit, logprob };
        }
        if (opts.signal?.aborted) return;
        const rest = detok.flush();
        const emit = tail ? tail.push(rest).emit : rest;
        if (emit) yield { token: -1, text: emit };
      } finally {
        opts.signal?.removeEventListener("abort", stop);
        tokens.cancel();
      }
    },
  };
}

/** The sampler chain for one request; penalties start from the prompt's last repeat_last_n tokens. */
function samplerConfig(
  model: LlamaModel,
  s: Sampling,
  grammar: LlamaGrammar | undefined,
  prompt: readonly number[],
  contextSize: number,
): SamplerConfig {
  const penalize = s.repeatPenalty !== 1 || s.presencePenalty !== 0 || s.frequencyPenalty !== 0;
  // -1 looks at the whole context, as in Ollama.
  const lastN = s.repeatLastN < 0 ? contextSize : s.repeatLastN;
  const config: SamplerConfig = {
    temperature: s.temperature,
    topK: s.topK,
    topP: s.topP,
    minP: s.minP,
    seed: s.seed < 0 ? (Math.random() * 2 ** 31) >>> 0 : s.seed >>> 0,
  };
  if (penalize && lastN > 0) {
    const history = prompt.slice(-Math.min(lastN, prompt.length));
    Object.assign(config, {
      repeatPenalty: s.repeatPenalty,
      repeatPenaltyMaxTokens: lastN,
      repeatPenaltyTokens: Uint32Array.from(history),
      repeatPenaltyPresencePenalty: s.presencePenalty,
      repeatPenaltyFrequencyPenalty: s.frequencyPenalty,
    });
  }
  if (grammar) {
    config.grammarEvaluationState = nativeGrammarState(new LlamaGrammarEvaluationState({ model, grammar }));
  }
  return config;
}

/**
 * A finished JSON value may be followed by whitespace the grammar still allows. Like node-llama-cpp's
 * own chat loop, whitespace is held back until non-space text follows, dropped at the end, and four
 * newlines in a row end the generation (JSON never contains them).
 */
class GrammarTail {
  private spaces = "";

  push(text: string): { emit: string; stop: boolean } {
    if (/^\s*$/.test(text)) {
      this.spaces += text;
      return { emit: "", stop: this.spaces.includes("\n\n\n\n") };
    }
    const emit = this.spaces + text;
    this.spaces = "";
    return { emit, stop: false };
  }
}
