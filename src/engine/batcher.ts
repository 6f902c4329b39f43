/**
 * Continuous batching over one llama.cpp context, as llama.cpp's own server does it: every step
 * decodes, in one batch, the last sampled token of each generating slot plus as many prompt tokens
 * of newly joined requests as the batch has room for, then samples every slot that needs a token.
 * Requests join and leave between steps, so no one waits for anyone else's answer to finish.
 *
 * The loop runs on its own, ahead of its consumers: a slow reader never holds back the others, and
 * every step carries all generating slots (node-llama-cpp's evaluate() loop waited for each reader
 * and decoded whichever slots happened to be ready, often one or two at a time). The tokens of one
 * step reach their readers once the next decode is queued, so the readers' work (detokenizing, stop
 * sequences, writing to sockets) runs beside that decode instead of between two of them.
 */
import type { NativeContext, NativeSampler, SampleAt } from "./native.js";
import { TokenChannel } from "./channel.js";
import type { LogprobSource, RawLogprob } from "./logprobs.js";

export interface Slot {
  readonly id: number;
  /** Tokens whose state is in the KV cache, in position order. */
  readonly tokens: number[];
}

export interface JobOptions {
  prompt: readonly number[];
  /** Owned by the job from here on: disposed when the job leaves the loop. */
  sampler: NativeSampler;
  /** Shift the context when it fills (true) or end the job (false). */
  shift: boolean;
  /** Tokens a shift keeps at the start. */
  numKeep: number;
  /** Fires with the count of prompt tokens evaluated (after the cached prefix), at the first token. */
  onPromptDone?: ((evaluated: number) => void) | undefined;
  /** Reports each sampled token's log-probability; owned and disposed like `sampler`. */
  logprobs?: LogprobSource | undefined;
  /**
   * Most tokens to sample (num_predict); default unlimited. The loop ends the job at the limit
   * itself, so the step after the last token carries no decode for it.
   */
  maxTokens?: number | undefined;
}

export interface Sampled {
  token: number;
  logprob?: RawLogprob | undefined;
}

export interface BatcherOptions {
  /** Tokens one slot may hold (num_ctx). */
  contextSize: number;
  /** Most tokens per decode (num_batch). */
  batchSize: number;
  /** The sliding attention window of models that have one (their cache forgets older tokens). */
  slidingWindow?: number | undefined;
  isEndOfGeneration(token: number): boolean;
}

type Phase = "new" | "prefill" | "decode" | "done";

interface Job extends JobOptions {
  slot: Slot;
  phase: Phase;
  /** Tokens still to feed: the rest of the prompt, then the last sampled token. */
  pending: number[];
  evaluated: number;
  /** Tokens sampled so far. */
  sampled: number;
  out: TokenChannel<Sampled>;
}

interface BatchItem {
  job: Job;
  tokens: number[];
  logit: number | undefined;
}

export class Batcher {
  private jobs: Job[] = [];
  private loop: Promise<void> | undefined;
  private closed = false;
  /**
   * What the readers are told (tokens, ends, failures), in order, held until the next decode is
   * queued. Ending a channel before a token queued ahead of it would lose that token, so every
   * channel operation of the loop goes through here.
   */
  private outbox: Array<() => void> = [];

  constructor(
    private readonly native: NativeContext,
    private readonly opts: BatcherOptions,
  ) {}

  /** Starts a generation on `slot`; the channel yields sampled tokens, end-of-generation excluded. */
  start(slot: Slot, options: JobOptions): TokenChannel<Sampled> {
    const out = new TokenChannel<Sampled>();
    if (this.closed) {
      options.sampler.dispose();
      options.logprobs?.dispose();
      out.fail(new Error("model is unloading"));
      return out;
    }
    this.jobs.push({ ...options, slot, phase: "new", pending: [], evaluated: 0, sampled: 0, out });
    this.loop ??= this.run();
    return out;
  }

  /** Ends every job and waits for the step in flight, so the context can be freed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.jobs) job.out.end();
    await this.loop;
  }

  private async run(): Promise<void> {
    let release: (() => void) | undefined;
    try {
      // Requests that arrive in the same tick share the first batch. (Awaited first: this.loop is
      // set before anything below can end the loop.)
      await Promise.resolve();
      // a context being disposed refuses the hold: the jobs fail below
      release = this.native.hold();
      while (this.prune()) {
        // Queued before the last step's tokens go out; a reader that stops on one of them has its
        // job dropped at the next step, one decode later.
        const step = this.step();
        this.flush();
        // With nothing to decode, new requests get a turn of the event loop to arrive.
        if (!(await step)) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      // Not expected (decode and sampling errors are the jobs'), but no reader may hang on it.
      for (const job of this.jobs) this.fail(job, err);
      this.prune();
    } finally {
      this.flush();
      release?.();
      this.loop = undefined;
    }
  }

  private flush(): void {
    const outbox = this.outbox;
    this.outbox = [];
    for (const send of outbox) send();
  }

  /** Drops jobs that are over or whose reader left; true while any remain. */
  private prune(): boolean {
    this.jobs = this.jobs.filter((job) => {
      if (job.phase !== "done" && !job.out.closed) return true;
      const out = job.out;
      this.outbox.push(() => out.end());
      job.sampler.dispose();
      job.logprobs?.dispose();
      return false;
    });
    return this.jobs.length > 0;
  }

  /** Queues one decode (synchronously, when the threads are free); false when there was none. */
  private async step(): Promise<boolean> {
    for (const job of this.jobs) if (job.phase === "new") this.admit(job);
    const items = this.plan();
    if (items.length === 0) return false;
    this.native.initBatch(items.reduce((n, item) => n + item.tokens.length, 0));
    const logits = items.map((item) => this.add(item));
    // The jobs whose last token this batch holds, and where its logits will be.
    const due: Array<{ job: Job; index: number }> = [];
    for (const [i, item] of items.entries()) {
      const index = logits[i];
      if (index !== undefined) due.push({ job: item.job, index });
    }
    let sampled: Array<Promise<number>>;
    try {
      sampled = await this.native.decodeAndSample(
        due.map((d): SampleAt => ({ index: d.index, sampler: d.job.sampler })),
      );
    } catch (err) {
      for (const { job } of items) this.fail(job, err);
      return true;
    }
    for (const { job, tokens } of items) {
      job.slot.tokens.push(...tokens);
      job.pending.splice(0, tokens.length);
    }
    await Promise.all(due.map((d, k) => this.sample(d.job, d.index, sampled[k] as Promise<number>)));
    return true;
  }

  /** Keeps the longest cached prefix of the prompt in the slot and erases the rest. */
  private admit(job: Job): void {
    const { slot, prompt } = job;
    if (prompt.length === 0) {
      this.fail(job, new Error("the prompt is empty"));
      return;
    }
    // At least one token must be evaluated to get logits to sample from.
    let reuse = Math.min(sharedPrefix(slot.tokens, prompt), prompt.length - 1);
    if (reuse < slot.tokens.length) {
      if (
        reuse <= 0 ||
        !this.canRewind(slot, reuse) ||
        !this.native.removeTokenCellsFromSequence(slot.id, reuse, -1)
      ) {
        this.native.disposeSequence(slot.id);
        reuse = 0;
      }
      slot.tokens.length = Math.max(reuse, 0);
    }
    job.pending = prompt.slice(slot.tokens.length);
    job.evaluated = job.pending.length;
    job.phase = "prefill";
  }

  /**
   * A sliding-window cache keeps only the last window of positions, so going back to `reuse` works
   * only while the window before it is still there (as llama.cpp's server checks); otherwise the
   * prompt is evaluated afresh. Going forward (appending) always works.
   */
  private canRewind(slot: Slot, reuse: number): boolean {
    const window = this.opts.slidingWindow;
    if (!window) return true;
    return this.native.getSequenceKvCacheMinPosition(slot.id) <= Math.max(0, reuse - window);
  }

  /** Generating slots first, one token each; then prompt chunks in arrival order. */
  private plan(): BatchItem[] {
    const items: BatchItem[] = [];
    let budget = this.opts.batchSize;
    for (const job of this.jobs) {
      if (job.phase !== "decode" || budget === 0) continue;
      if (!this.makeRoom(job, 1)) continue;
      items.push({ job, tokens: job.pending.slice(0, 1), logit: undefined });
      budget--;
    }
    for (const job of this.jobs) {
      if (job.phase !== "prefill" || budget === 0) continue;
      const n = Math.min(budget, job.pending.length);
      if (!this.makeRoom(job, n)) continue;
      items.push({ job, tokens: job.pending.slice(0, n), logit: undefined });
      budget -= n;
    }
    return items;
  }

  private add(item: BatchItem): number | undefined {
    const { job, tokens } = item;
    const last = tokens.length === job.pending.length;
    const indexes = this.native.addToBatch(
      job.slot.id,
      job.slot.tokens.length,
      Uint32Array.from(tokens),
      last ? Uint32Array.of(tokens.length - 1) : new Uint32Array(0),
    );
    return last ? indexes[0] : undefined;
  }

  /** Takes the token sampled at batch index `logit` for the job (a job already over drops it). */
  private async sample(job: Job, logit: number, sampled: Promise<number>): Promise<void> {
    if (job.phase === "done") {
      // Still waited for: the step (and so close(), before the context is freed) outlasts it.
      await sampled.catch(() => undefined);
      return;
    }
    let token: number;
    let logprob: RawLogprob | undefined;
    try {
      token = await sampled;
      if (job.logprobs && token >= 0 && !this.opts.isEndOfGeneration(token))
        logprob = await job.logprobs.read(this.native, logit, token);
    } catch (err) {
      this.fail(job, err);
      return;
    }
    if (job.phase === "prefill") {
      job.phase = "decode";
      job.onPromptDone?.(job.evaluated);
    }
    if (token < 0) {
      this.fail(job, new Error("failed to sample the next token"));
    } else if (this.opts.isEndOfGeneration(token)) {
      this.finish(job);
    } else {
      job.pending = [token];
      const out = job.out;
      this.outbox.push(() => out.push({ token, logprob }));
      if (++job.sampled >= (job.maxTokens ?? Infinity)) this.finish(job);
    }
  }

  /**
   * Makes room for `n` more tokens in the job's slot: Ollama's context shift keeps the first
   * num_keep tokens and drops half of the rest. False (and the job ends) when it may not shift.
   */
  private makeRoom(job: Job, n: number): boolean {
    const { slot } = job;
    const used = slot.tokens.length;
    if (used + n <= this.opts.contextSize) return true;
    const keep = Math.min(Math.max(job.numKeep, 0), used - 1);
    const discard = Math.max(1, Math.floor((used - keep) / 2), used + n - this.opts.contextSize);
    if (!job.shift || keep + discard > used) {
      this.finish(job);
      return false;
    }
    this.native.removeTokenCellsFromSequence(slot.id, keep, keep + discard);
    this.native.shiftSequenceTokenCells(slot.id, keep + discard, used, -discard);
    slot.tokens.splice(keep, discard);
    return true;
  }

  private finish(job: Job): void {
    job.phase = "done";
    const out = job.out;
    this.outbox.push(() => out.end());
  }

  /** A failed decode leaves the slot's cache unknown, so it is cleared. */
  private fail(job: Job, err: unknown): void {
    job.phase = "done";
    try {
      this.native.disposeSequence(job.slot.id);
    } catch {
      // the context is already gone: nothing left to clear
    }
    job.slot.tokens.length = 0;
    const out = job.out;
    const error = err instanceof Error ? err : new Error(String(err));
    this.outbox.push(() => out.fail(error));
  }
}

export function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
