/**
 * The engine over node-llama-cpp: the only module that imports it. One llama.cpp context per
 * loaded model holds `sequences` independent sequences; node-llama-cpp batches the evaluations
 * of all busy sequences into one decode per step, which is continuous batching.
 */
import os from "node:os";
import {
  getLlama,
  LlamaGrammarEvaluationState,
  LlamaLogLevel,
  type Llama,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { IncrementalDetokenizer } from "./detokenizer.js";
import { openPooledModel } from "./pooled.js";
import { estimateLoad } from "./estimate.js";
import type { Engine, EngineSequence, LoadedModel, LoadOptions, Sampling } from "./types.js";

export interface LlamaEngineOptions {
  /** Upper bound for any context's threads (node-llama-cpp's maxThreads). */
  maxThreads: number;
  /** "cpu" disables GPU backends (OLLAMA_LLM_LIBRARY=cpu); default tries CUDA, Vulkan, Metal. */
  library?: string | undefined;
  /** Forward llama.cpp's own log lines (OLLAMA_DEBUG). Default false. */
  debug?: boolean;
}

export function createLlamaEngine(opts: LlamaEngineOptions): Engine {
  let llamaPromise: Promise<Llama> | undefined;
  const llama = () =>
    (llamaPromise ??= getLlama({
      gpu: opts.library === "cpu" ? false : "auto",
      build: "never",
      maxThreads: opts.maxThreads,
      logLevel: opts.debug ? LlamaLogLevel.debug : LlamaLogLevel.error,
      progressLogs: false,
    }));

  return {
    async loadModel(load, signal) {
      const l = await llama();
      const model = await l.loadModel({
        modelPath: load.path,
        gpuLayers: l.gpu === false ? 0 : load.gpuLayers === "auto" ? "auto" : load.gpuLayers,
        useMmap: load.useMmap ?? "auto",
        loadSignal: signal,
      });
      try {
        return await openModel(l, model, load);
      } catch (err) {
        await model.dispose();
        throw err;
      }
    },
    async estimate(load) {
      return estimateLoad(await llama(), load);
    },
    async memory() {
      const l = await llama();
      const vram = l.gpu === false ? { total: 0, free: 0 } : await l.getVramState();
      return {
        ramFree: os.freemem(),
        ramTotal: os.totalmem(),
        vramFree: vram.free,
        vramTotal: vram.total,
        gpu: l.gpu,
      };
    },
    async dispose() {
      if (llamaPromise) await (await llamaPromise).dispose();
    },
  };
}

async function openModel(llama: Llama, model: LlamaModel, load: LoadOptions): Promise<LoadedModel> {
  // embedding models and rerankers get a pooling context instead of a generation one
  if (load.embedding) return openPooledModel(model, load);
  const context = await model.createContext({
    contextSize: load.contextSize,
    sequences: load.sequences,
    batchSize: Math.max(load.batchSize, load.sequences),
    threads: load.threads,
    flashAttention: load.flashAttention,
    experimentalKvCacheKeyType: load.kvCacheType === "f16" ? undefined : kvType(load.kvCacheType),
    experimentalKvCacheValueType: load.kvCacheType === "f16" ? undefined : kvType(load.kvCacheType),
    lora:
      load.adapters.length > 0 ? { adapters: load.adapters.map((filePath) => ({ filePath })) } : undefined,
    ignoreMemorySafetyChecks: false,
    failedCreationRemedy: false,
  });
  const pool = Array.from({ length: load.sequences }, () => ({ seq: context.getSequence(), busy: false }));
  const grammars = new GrammarCache(llama);
  const addBos = model.tokens.shouldPrependBosToken;
  const bos = model.tokens.bos ?? undefined;
  const vram = model.gpuLayers > 0 ? model.size : 0;

  return {
    facts: {
      sizeBytes: model.size + context.stateSize,
      vramBytes: vram,
    },
    contextSize: context.contextSize,
    sequences: load.sequences,
    addBos,
    bosToken: bos,
    tokenize: (text) => model.tokenize(text, true),
    detokenize: (tokens) => model.detokenize(tokens as Token[], false),
    isEndOfGeneration: (token) => model.isEogToken(token as Token),
    acquireSequence(tokens) {
      let best: (typeof pool)[number] | undefined;
      let bestShared = -1;
      for (const entry of pool) {
        if (entry.busy) continue;
        const shared = sharedPrefix(entry.seq.contextTokens, tokens);
        if (shared > bestShared) [best, bestShared] = [entry, shared];
      }
      if (!best) return undefined;
      best.busy = true;
      const entry = best;
      return wrapSequence(model, entry.seq, grammars, () => (entry.busy = false));
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

function kvType(t: "q8_0" | "q4_0") {
  return t === "q8_0" ? "Q8_0" : "Q4_0";
}

export function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
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

function wrapSequence(
  model: LlamaModel,
  seq: LlamaContextSequence,
  grammars: GrammarCache,
  free: () => void,
): EngineSequence {
  let released = false;
  return {
    get cachedTokens() {
      return seq.contextTokens;
    },
    release() {
      if (released) return;
      released = true;
      free();
    },
    async *generate(prompt, sampling, opts) {
      const reuse = await reuseCache(seq, prompt);
      const input = prompt.slice(reuse) as Token[];
      const grammar = sampling.format ? await grammars.get(sampling.format) : undefined;
      const detok = new IncrementalDetokenizer((tokens, last) =>
        model.detokenize(tokens as Token[], false, last as Token[]),
      );
      const history = [...prompt];
      const tail = grammar ? new GrammarTail() : undefined;
      const iterator = seq.evaluate(input, evaluateOptions(model, sampling, grammar, history, opts));
      let first = true;
      try {
        for (;;) {
          if (opts.signal?.aborted) return;
          const next = await iterator.next();
          if (next.done) break;
          if (first) {
            first = false;
            opts.onPromptDone?.(input.length);
          }
          const token = next.value;
          history.push(token);
          const text = detok.push(token);
          if (!tail) {
            yield { token, text };
            continue;
          }
          const out = tail.push(text);
          if (out.stop) return;
          yield { token, text: out.emit };
        }
        if (first) opts.onPromptDone?.(input.length);
        const rest = detok.flush();
        const emit = tail ? tail.push(rest).emit : rest;
        if (emit) yield { token: -1, text: emit };
      } finally {
        await iterator.return();
      }
    },
  };
}

/** Keeps the longest cached prefix of `prompt` and erases the rest; returns how many tokens are reused. */
async function reuseCache(seq: LlamaContextSequence, prompt: readonly number[]): Promise<number> {
  const cached = seq.contextTokens;
  // At least one token must be evaluated to get logits to sample from.
  const reuse = Math.min(sharedPrefix(cached, prompt), prompt.length - 1);
  if (reuse <= 0) {
    if (cached.length > 0) await seq.clearHistory();
    return 0;
  }
  if (reuse < cached.length) await seq.eraseContextTokenRanges([{ start: reuse, end: seq.nextTokenIndex }]);
  return reuse;
}

function evaluateOptions(
  model: LlamaModel,
  s: Sampling,
  grammar: LlamaGrammar | undefined,
  history: number[],
  opts: { shift: boolean; numKeep: number },
) {
  const penalize = s.repeatPenalty !== 1 || s.presencePenalty !== 0 || s.frequencyPenalty !== 0;
  const lastN = s.repeatLastN < 0 ? Infinity : s.repeatLastN;
  return {
    temperature: s.temperature,
    topK: s.topK,
    topP: s.topP,
    minP: s.minP,
    seed: s.seed < 0 ? (Math.random() * 2 ** 31) >>> 0 : s.seed,
    repeatPenalty:
      penalize && lastN > 0
        ? {
            punishTokens: () => history.slice(-Math.min(lastN, history.length)) as Token[],
            penalty: s.repeatPenalty,
            presencePenalty: s.presencePenalty,
            frequencyPenalty: s.frequencyPenalty,
          }
        : undefined,
    grammarEvaluationState: grammar ? new LlamaGrammarEvaluationState({ model, grammar }) : undefined,
    contextShift: {
      // Ollama's shift: keep the first num_keep tokens and drop half of the rest.
      size: (sq: LlamaContextSequence) => Math.max(1, Math.floor((sq.nextTokenIndex - opts.numKeep) / 2)),
      strategy: ({ sequence, size }: { sequence: LlamaContextSequence; size: number }) => {
        const keep = Math.min(Math.max(opts.numKeep, 0), sequence.nextTokenIndex - 1);
        return [{ start: keep, end: Math.min(keep + size, sequence.nextTokenIndex) }];
      },
    },
  };
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
