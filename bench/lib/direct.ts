/**
 * The reference: a minimal node-llama-cpp loop, written here and not through tollama's engine, with
 * the sampling settings and thread count the server uses (Ollama's defaults: temperature 0.8,
 * top_k 40, top_p 0.9, min_p 0, no repeat penalty at tollama's default repeat_penalty 1).
 */
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { nowMs } from "./common.js";

export interface DirectOptions {
  modelPath: string;
  threads: number;
  /** Per sequence, like OLLAMA_CONTEXT_LENGTH (default 4096). */
  contextSize: number;
  batchSize: number;
  /** Flash attention, as tollama's OLLAMA_FLASH_ATTENTION (default false here: say which). */
  flashAttention?: boolean | "auto";
  /** Offload every layer to the GPU node-llama-cpp finds (default false: CPU only). */
  gpu?: boolean;
}

export const SAMPLING = { temperature: 0.8, topK: 40, topP: 0.9, minP: 0 } as const;

export interface DecodeRun {
  tokens: number;
  /** Request start to first token (prompt evaluation plus one sample). */
  ttftMs: number;
  /** First to last token. */
  decodeMs: number;
  /** (tokens - 1) / decode seconds. */
  tokPerSec: number;
}

export class Direct {
  private constructor(
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly seq: LlamaContextSequence,
  ) {}

  static async open(o: DirectOptions): Promise<Direct> {
    const llama = await getLlama({
      gpu: o.gpu ? "auto" : false,
      build: "never",
      maxThreads: o.threads,
      logLevel: LlamaLogLevel.error,
      progressLogs: false,
    });
    const model = await llama.loadModel({ modelPath: o.modelPath, gpuLayers: o.gpu ? "max" : 0 });
    const context = await model.createContext({
      contextSize: o.contextSize,
      sequences: 1,
      batchSize: o.batchSize,
      threads: o.threads,
      ...(o.flashAttention === "auto" ? {} : { flashAttention: o.flashAttention ?? false }),
    });
    return new Direct(llama, model, context, context.getSequence());
  }

  tokenize(text: string): Token[] {
    return this.model.tokenize(text, true);
  }

  /** Evaluates `prompt` from an empty sequence and samples up to `maxTokens` tokens. */
  async generate(prompt: Token[], maxTokens: number, seed: number): Promise<DecodeRun> {
    await this.seq.clearHistory();
    return this.run(prompt, maxTokens, seed);
  }

  /**
   * Like a server request that hits the prompt cache: keeps the cached prefix of `prompt`
   * (at least one token must be evaluated), then samples up to `maxTokens`.
   */
  async generateCached(prompt: Token[], maxTokens: number, seed: number): Promise<DecodeRun> {
    const t0 = nowMs();
    const cached = this.seq.contextTokens;
    let shared = 0;
    while (shared < cached.length && shared < prompt.length && cached[shared] === prompt[shared]) shared++;
    shared = Math.min(shared, prompt.length - 1);
    if (shared <= 0) await this.seq.clearHistory();
    else if (shared < this.seq.nextTokenIndex)
      await this.seq.eraseContextTokenRanges([{ start: shared, end: this.seq.nextTokenIndex }]);
    return this.run(prompt.slice(Math.max(shared, 0)), maxTokens, seed, t0);
  }

  private async run(input: Token[], maxTokens: number, seed: number, t0 = nowMs()): Promise<DecodeRun> {
    const it = this.seq.evaluate(input, { ...SAMPLING, seed });
    let n = 0;
    let tFirst = NaN;
    let tLast = NaN;
    try {
      while (n < maxTokens) {
        const r = await it.next();
        if (r.done) break;
        tLast = nowMs();
        if (n === 0) tFirst = tLast;
        n++;
        if (this.model.isEogToken(r.value)) break;
      }
    } finally {
      await it.return();
    }
    const decodeMs = tLast - tFirst;
    return { tokens: n, ttftMs: tFirst - t0, decodeMs, tokPerSec: n > 1 ? ((n - 1) * 1000) / decodeMs : NaN };
  }

  /** Best effort: two baselines in one process may share one Llama instance. */
  async close(): Promise<void> {
    for (const d of [this.context, this.model, this.llama]) {
      try {
        if (!d.disposed) await d.dispose();
      } catch {
        /* already gone with its Llama */
      }
    }
  }
}
