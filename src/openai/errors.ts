/** OpenAI's error body, with the type Ollama picks for each status. */
import type { ServerResponse } from "node:http";
import { sendJson } from "../api/http.js";
import { errorReply } from "../api/errors.js";

/** A request Ollama's OpenAI layer refuses; `param` stays null in its error bodies, as there. */
export class OpenAIRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "OpenAIRequestError";
  }
}

export function errorType(status: number): string {
  if (status === 400) return "invalid_request_error";
  if (status === 404) return "not_found_error";
  return "api_error";
}

export function errorBody(status: number, message: string) {
  return { error: { message, type: errorType(status), param: null, code: null } };
}

/** Any thrown error (core catalogue, store, wire decoding, ours) as an OpenAI error reply. */
export function replyError(err: unknown): { status: number; body: ReturnType<typeof errorBody> } {
  const { status, message } = errorReply(err);
  return { status, body: errorBody(status, message) };
}

export function sendOpenAIError(res: ServerResponse, err: unknown): void {
  const { status, body } = replyError(err);
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  sendJson(res, status, body);
}
