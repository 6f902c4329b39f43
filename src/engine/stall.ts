/**
 * OLLAMA_LOAD_TIMEOUT as Ollama applies it: not a bound on the whole load, but on a stall. Each
 * sign of progress restarts the clock, and a load that shows none for the timeout fails with
 * Ollama's error line.
 */
export const LOAD_STALLED = "timed out waiting for llama-server to start - ";

export interface StallWatch {
  /** Aborts the load on a stall, or when `outer` (the caller's signal) aborts. */
  readonly signal: AbortSignal;
  /** The load moved on: the clock starts again. */
  progress(): void;
  /** The stall error when the watch fired, else `err` itself. */
  failure(err: unknown): unknown;
  stop(): void;
}

/** A watch over one load; `ms` undefined never fires (OLLAMA_LOAD_TIMEOUT forever). */
export function watchLoad(ms: number | undefined, outer?: AbortSignal): StallWatch {
  const stalled = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (ms === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => stalled.abort(new Error(LOAD_STALLED)), ms);
  };
  arm();
  return {
    signal: outer ? AbortSignal.any([outer, stalled.signal]) : stalled.signal,
    progress: arm,
    failure: (err) => (stalled.signal.aborted ? (stalled.signal.reason as Error) : err),
    stop: () => clearTimeout(timer),
  };
}
