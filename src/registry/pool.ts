// Runs tasks with a concurrency limit; the first failure aborts the rest, and the call settles
// only once every started task has (so parts can record their progress before we report).
import { setMaxListeners } from "node:events";

export async function runPool<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  task: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const inner = new AbortController();
  // Every running task listens to the shared signal; more than 10 is expected, not a leak.
  setMaxListeners(0, inner.signal);
  const onOuterAbort = (): void => inner.abort(signal.reason);
  signal.addEventListener("abort", onOuterAbort, { once: true });
  if (signal.aborted) onOuterAbort();
  let next = 0;
  let failure: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    while (!inner.signal.aborted) {
      const item = items[next++];
      if (item === undefined) return;
      try {
        await task(item, inner.signal);
      } catch (error) {
        failure ??= { error };
        inner.abort(error);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal.removeEventListener("abort", onOuterAbort);
  }
  if (signal.aborted) throw signal.reason;
  if (failure) throw failure.error;
}
