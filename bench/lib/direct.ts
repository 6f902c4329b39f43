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
import { nativeContext, samplerFactory } from "../../src/engine/native.js";
import { ThreadShare } from "../../src/engine/gate.js";
import { createIdlePoll, idlePollAllowed, idlePollWanted } from "../../src/engine/idle-poll.js";

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

  /**
   * The addon calls tollama's batch loop makes for one sequence (src/engine/native.ts), and nothing
   * else: no batcher, no detokenizing, no HTTP. Against llama-bench it is what the prebuilt addon
   * costs; against tollama's HTTP rate, what tollama's own JavaScript costs. It keeps idle CPUs
   * polling where a default server would (TOLLAMA_IDLE_POLL auto), so that the comparison is like
   * for like. Uses the context's sequence 0 (clears it first).
   */
  async addonLoop(prompt: Token[], maxTokens: number, seed: number): Promise<DecodeRun> {
    await this.seq.clearHistory();
    const native = nativeContext(this.context, new ThreadShare(0));
    const sampler = samplerFactory(this.model)({ ...SAMPLING, seed });
    const poll = idlePollWanted("auto") && idlePollAllowed() ? createIdlePoll({ lingerMs: 0 }) : undefined;
    const release = native.hold();
    poll?.start();
    const t0 = nowMs();
    let tFirst = NaN;
    let n = 0;
    try {
      let input: number[] = prompt;
      for (let pos = 0; n < maxTokens; n++) {
        native.initBatch(input.length);
        const [at] = native.addToBatch(0, pos, Uint32Array.from(input), Uint32Array.of(input.length - 1));
        pos += input.length;
        const [token] = await native.decodeAndSample([{ index: at!, sampler }]);
        const t = await token!;
        if (n === 0) tFirst = nowMs();
        if (t < 0 || this.model.isEogToken(t as Token)) break;
        input = [t];
      }
    } finally {
      poll?.stop();
      release();
      sampler.dispose();
      native.disposeSequence(0);
    }
    const decodeMs = nowMs() - tFirst;
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
