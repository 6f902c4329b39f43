/** Request bodies, JSON replies and NDJSON streams over Node's raw request/response objects. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { goJson } from "../store/index.js";
import { decodeBody } from "./encoding.js";

export const jsonType = "application/json; charset=utf-8";
export const ndjsonType = "application/x-ndjson";

/**
 * Reads the whole body, decompressed per its Content-Encoding (encoding.ts). JSON requests carry
 * base64 images, so the cap is generous.
 */
export async function readBody(req: IncomingMessage, limitBytes = 512 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new Error("http: request body too large");
    chunks.push(chunk);
  }
  return decodeBody(Buffer.concat(chunks), req.headers["content-encoding"]);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = goJson(body);
  res.writeHead(status, { "Content-Type": jsonType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** A signal that aborts when the client goes away before the response is finished. */
export function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * An NDJSON response. Lines are written as they come; `closed` turns true when the client goes
 * away, and `signal` aborts then, so generation stops at the next token.
 */
export class NdjsonWriter {
  readonly signal: AbortSignal;
  private started = false;
  private readonly body: StreamedBody;

  constructor(
    private readonly res: ServerResponse,
    private readonly contentType = ndjsonType,
  ) {
    this.signal = abortOnClose(res);
    this.body = new StreamedBody(res);
  }

  get closed(): boolean {
    return this.signal.aborted;
  }

  get headersSent(): boolean {
    return this.started;
  }

  write(obj: unknown): void {
    if (this.closed) return;
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, { "Content-Type": this.contentType });
    }
    this.body.write(`${goJson(obj)}\n`);
  }

  /** An error before the first line is a plain JSON error reply; after it, a final error line. */
  fail(status: number, message: string): void {
    if (this.closed) return;
    if (!this.started) {
      sendError(this.res, status, message);
      return;
    }
    this.write({ error: message });
    this.end();
  }

  end(): void {
    if (!this.started && !this.closed) this.res.writeHead(200, { "Content-Type": this.contentType });
    this.started = true;
    this.res.end();
  }
}

/**
 * The body of a streamed response, written a piece at a time (a token's NDJSON line or SSE event).
 * Node's res.write frames a chunk as four socket writes (size, CRLF, data, CRLF) queued behind a
 * cork until the next tick; for a streamed token that took more of the server's main thread than
 * the rest of the token's way through it. So only the first piece, which carries the headers, goes
 * through res.write; later ones are framed here and handed to the socket in one write, behind
 * whatever the response already queued there.
 */
export class StreamedBody {
  private headersQueued = false;

  constructor(private readonly res: ServerResponse) {}

  write(text: string): void {
    const { res } = this;
    // No socket yet: a pipelined response waits for the one before it, and res.write queues. Once
    // the response has ended, the socket may carry the next one: res.write refuses the piece.
    const socket = res.socket;
    if (this.headersQueued && socket && !socket.destroyed && res.chunkedEncoding && !res.writableEnded) {
      socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
      return;
    }
    this.headersQueued = true;
    if (!socket || socket.writableCorked) {
      res.write(text);
      return;
    }
    // Corked, the headers and the first chunk go out as one writev now rather than a tick later.
    socket.cork();
    res.write(text);
    socket.uncork();
  }
}
