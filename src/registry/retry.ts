// Retries for the small requests around a transfer (HEAD, manifest, upload steps): transport
// errors and 5xx are retried with backoff, anything else is final.
import { RegistryHttpError, isAbortError } from "./errors.js";
import { TransportError } from "./http.js";
import { retryDelay, sleep, type Tuning } from "./tuning.js";

export function isRetryable(err: unknown): boolean {
  if (err instanceof TransportError) return true;
  if (err instanceof RegistryHttpError) return err.httpStatus >= 500 || err.httpStatus === 429;
  return false;
}

/**
 * A registry nobody listens at, or whose name does not resolve. Worth retrying mid-transfer (a
 * restarting registry), but on first contact Ollama reports it at once rather than after backoff.
 */
export function isUnreachable(err: unknown): boolean {
  return err instanceof TransportError && ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"].includes(err.code ?? "");
}

export async function withRetries<T>(
  tuning: Tuning,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
  retryable: (err: unknown) => boolean = isRetryable,
): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await fn();
    } catch (err) {
      if (isAbortError(err, signal) || !retryable(err) || failures >= tuning.maxRetries) throw err;
      await sleep(retryDelay(failures, tuning), signal);
    }
  }
}
