/**
 * What every decode tollama drives itself goes through: its context held against disposal, its
 * share of the CPU threads, and (on Vulkan) one decode at a time across contexts.
 *
 * node-llama-cpp's own path pays for this per decode: a dispose-guard handle, a thread-splitter
 * allocation that is always a promise, and a zero-delay timer to give the threads back. Measured
 * with perf on a 135M model at 2 threads, that was about a sixth of the main thread's CPU time per
 * token, time taken from llama.cpp's own threads on a small machine. Here the guard and the thread
 * reservation are taken once for a run of decodes (a batch loop's life, one embedding), and a
 * decode itself is a synchronous check of the share before it is queued.
 */
import type { LlamaContext } from "node-llama-cpp";

/**
 * Splits a thread budget among the contexts decoding at once: each gets the threads it wants while
 * their sum fits, otherwise its proportional part of the budget, at least one.
 */
export class ThreadShare {
  private wanted = 0;
  private holders = 0;

  /**
   * `maxThreads`: the budget (node-llama-cpp's maxThreads); 0 means no limit. `onBusy` is told
   * when the first context starts decoding (true) and when the last one stops (false); default none.
   * `serial` (default false): decodes never overlap, as on a one-thread libuv pool (the server's),
   * where the decodes of two contexts queue behind each other; each then gets all it wants, since a
   * split would only run both at part speed, one after the other.
   */
  constructor(
    private readonly maxThreads: number,
    private readonly onBusy?: (busy: boolean) => void,
    private readonly serial = false,
  ) {}

  /** Counts `threads` wanted until the returned function is called (once). */
  join(threads: number): () => void {
    this.wanted += threads;
    if (this.holders++ === 0) this.onBusy?.(true);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.wanted -= threads;
      if (--this.holders === 0) this.onBusy?.(false);
    };
  }

  /** The threads a context that wants `threads` may use now. */
  threadsFor(threads: number): number {
    if (this.serial || this.maxThreads <= 0 || this.wanted <= this.maxThreads) return threads;
    return Math.max(1, Math.floor((threads * this.maxThreads) / this.wanted));
  }
}

export interface DecodeGate {
  /**
   * Holds the context and a share of the threads for a run of decodes; returns the release.
   * Disposing the context waits until every hold is released.
   */
  hold(): () => void;
  /** Queues one decode within a hold, with the thread count the share allows now. */
  decode<T>(run: () => Promise<T>): Promise<T>;
}

/** Vulkan crashes when contexts decode in parallel (node-llama-cpp serialises them too). */
let vulkanDecodes: Promise<unknown> = Promise.resolve();

interface Handle {
  dispose(): void;
}

/** The LlamaContext internals the gate uses. */
interface ContextInternals {
  _ctx: { setThreads(threads: number): void };
  _llama: { gpu: string | false };
  _backendContextDisposeGuard: { createPreventDisposalHandle(): Handle };
}

/**
 * The gate for `context`, sharing `share` with the engine's other contexts; the context wants its
 * idealThreads. Undefined when node-llama-cpp's internals differ.
 */
export function decodeGate(context: LlamaContext, share: ThreadShare): DecodeGate | undefined {
  const c = context as unknown as Partial<ContextInternals>;
  if (
    typeof c._ctx?.setThreads !== "function" ||
    typeof c._backendContextDisposeGuard?.createPreventDisposalHandle !== "function" ||
    c._llama === undefined
  )
    return undefined;
  const internals = c as ContextInternals;
  const threads = context.idealThreads;
  // what the addon context was created with
  let current = threads;

  function run<T>(decode: () => Promise<T>): Promise<T> {
    const allowed = share.threadsFor(threads);
    if (allowed !== current) {
      internals._ctx.setThreads(allowed);
      current = allowed;
    }
    return decode();
  }

  return {
    hold() {
      const guard = internals._backendContextDisposeGuard.createPreventDisposalHandle();
      const leave = share.join(threads);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        leave();
        guard.dispose();
      };
    },
    decode(decode) {
      if (internals._llama.gpu !== "vulkan") return run(decode);
      const queued = vulkanDecodes.then(() => run(decode));
      vulkanDecodes = queued.catch(() => undefined);
      return queued;
    },
  };
}
