// Transfer knobs. Defaults are Ollama's (download.go / upload.go); tests shrink them.

export interface Tuning {
  /** Parts are total/maxParts bytes, clamped to [minPartSize, maxPartSize] (Ollama: 16, 100 MB, 1000 MB). */
  maxParts: number;
  minPartSize: number;
  maxPartSize: number;
  /** Parts downloaded at once. */
  concurrency: number;
  /** No byte for this long aborts the attempt (Ollama: 30 s). */
  stallTimeoutMs: number;
  /** Consecutive attempts without progress before a part fails (Ollama: 6). */
  maxRetries: number;
  /** Backoff after the n-th failure is retryDelayMs * 2^(n-1), jittered (Ollama: 1 s). */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** How often progress is reported while a blob transfers (Ollama: 60 ms). */
  progressIntervalMs: number;
  /** How often a part's sidecar is rewritten mid-transfer, so a killed process loses little. */
  checkpointIntervalMs: number;
  /** Push: bytes per PATCH; the same sizing rule as parts when undefined. */
  uploadChunkSize?: number;
  /** Push: one PUT with the whole blob instead of PATCH chunks. */
  monolithicUpload: boolean;
}

const MB = 1000 * 1000;

export const DEFAULT_TUNING: Tuning = {
  maxParts: 16,
  minPartSize: 100 * MB,
  maxPartSize: 1000 * MB,
  concurrency: 16,
  stallTimeoutMs: 30_000,
  maxRetries: 6,
  retryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  progressIntervalMs: 60,
  checkpointIntervalMs: 1000,
  monolithicUpload: false,
};

export function resolveTuning(overrides: Partial<Tuning> = {}): Tuning {
  return { ...DEFAULT_TUNING, ...overrides };
}

export function partSize(total: number, t: Tuning): number {
  const size = Math.floor(total / t.maxParts);
  return Math.min(Math.max(size, t.minPartSize), t.maxPartSize);
}

/** Consecutive [offset, size] pieces covering [0, total). */
export function splitRanges(total: number, size: number): Array<{ offset: number; size: number }> {
  const out: Array<{ offset: number; size: number }> = [];
  for (let offset = 0; offset < total; offset += size)
    out.push({ offset, size: Math.min(size, total - offset) });
  return out;
}

export function retryDelay(failures: number, t: Tuning): number {
  const base = Math.min(t.retryDelayMs * 2 ** Math.max(0, failures - 1), t.maxRetryDelayMs);
  // 0.5x-1.5x so many parts failing together do not retry in lockstep.
  return base * (0.5 + Math.random());
}

/** A timer that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
