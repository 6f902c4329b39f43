/**
 * The one error mapper. Errors thrown below the HTTP layer (the core catalogue, store errors,
 * request decoding) carry Ollama's message and status; anything else is a 500 with its message.
 */
export function errorReply(err: unknown): { status: number; message: string } {
  if (err instanceof Error) {
    const status = (err as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 600) return { status, message: err.message };
    if (err.name === "AbortError") return { status: 499, message: "request canceled" };
    return { status: 500, message: err.message };
  }
  return { status: 500, message: String(err) };
}
