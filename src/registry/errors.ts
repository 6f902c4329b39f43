// Registry failures, worded as Ollama words them so the HTTP layer can forward `message` as-is.
// They extend StoreError so one `status` field serves every error the server maps.
import { StoreError } from "../store/index.js";

export class RegistryError extends StoreError {
  constructor(message: string, status = 500) {
    super(message, status);
  }
}

/** A 404 from the registry: Go's os.ErrNotExist text, which Ollama passes through. */
export class RegistryNotFoundError extends RegistryError {
  constructor() {
    super("file does not exist");
  }
}

/**
 * Still 401 after fetching a fresh token (Ollama's errUnauthorized). Like every error of a
 * transfer, Ollama answers it with a 500 (its handlers stream errors without a status).
 */
export class UnauthorizedError extends RegistryError {
  constructor() {
    super("unauthorized: access denied");
  }
}

/** Any other status >= 400: Ollama prints "<code>: <body>". */
export class RegistryHttpError extends RegistryError {
  readonly httpStatus: number;

  constructor(httpStatus: number, body: string) {
    super(`${httpStatus}: ${body}`);
    this.httpStatus = httpStatus;
  }
}

/** A pull or push of an `http://` name without `insecure` (a 500, as every transfer error). */
export class InsecureProtocolError extends RegistryError {
  constructor() {
    super("insecure protocol http");
  }
}

/** A part kept failing without making progress. */
export class MaxRetriesError extends RegistryError {
  constructor(cause: unknown) {
    super(`max retries exceeded: ${errorMessage(cause)}`);
  }
}

/** No bytes arrived for the stall timeout; retried without counting as a failure when it made progress. */
export class StallError extends Error {
  constructor() {
    super("part stalled");
    this.name = "StallError";
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True for the error an aborted signal produces (ours or Node's). */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return (
    err instanceof Error && (err.name === "AbortError" || (err as NodeJS.ErrnoException).code === "ABORT_ERR")
  );
}
