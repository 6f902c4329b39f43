// One HTTP exchange over node:http(s), with no automatic redirects (the client decides which
// headers may follow a redirect) and the response body left as a stream for large blobs.
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A buffer, or a factory so a retried request can stream a file again. */
  body?: Uint8Array | string | (() => Readable);
  signal?: AbortSignal;
  /** Socket inactivity (either direction) that fails the request, so no exchange hangs forever. */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** Go's method spelling in url.Error ("Get", "Head"), so transport errors read like Ollama's. */
function goMethod(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/**
 * The commonest socket failures in Go's net words, as Ollama reports them; anything else keeps
 * Node's message (without OpenSSL's trailing newline).
 */
export function goNetError(err: Error): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const target = e.address !== undefined && e.port !== undefined ? `${e.address}:${e.port}` : "";
  switch (e.code) {
    case "ECONNREFUSED":
      return `dial tcp ${target}: connect: connection refused`;
    case "ENOTFOUND":
      return `dial tcp: lookup ${e.hostname ?? ""}: no such host`;
    case "ETIMEDOUT":
      return `dial tcp ${target}: i/o timeout`;
    case "EPROTO":
      // TLS spoken to a plain HTTP server: what `insecure` is for
      if (/wrong version number|packet length too long/.test(e.message))
        return "http: server gave HTTP response to HTTPS client";
  }
  return err.message.trim();
}

/** A transport failure worded as Go's url.Error: `Get "https://x/v2/...": <cause>`. */
export class TransportError extends Error {
  readonly code: string | undefined;

  constructor(method: string, url: URL, cause: Error) {
    super(`${goMethod(method)} "${url.href}": ${goNetError(cause)}`);
    this.name = "TransportError";
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error("This operation was aborted");
  err.name = "AbortError";
  return err;
}

export function send(req: HttpRequest): Promise<HttpResponse> {
  const { signal } = req;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const isHttps = req.url.protocol === "https:";
  const transport = isHttps ? https : http;
  const headers: Record<string, string> = { ...req.headers };
  const body = req.body;
  if ((typeof body === "string" || body instanceof Uint8Array) && headers["Content-Length"] === undefined) {
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }

  return new Promise<HttpResponse>((resolve, reject) => {
    const request = transport.request(req.url, {
      method: req.method,
      headers,
      agent: isHttps ? agents.https : agents.http,
    });
    let settled = false;
    if (req.idleTimeoutMs) {
      request.setTimeout(req.idleTimeoutMs, () => request.destroy(new Error("i/o timeout")));
    }
    const onAbort = (): void => {
      request.destroy(abortError(signal as AbortSignal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      if (settled) return;
      settled = true;
      reject(signal?.aborted ? abortError(signal) : new TransportError(req.method, req.url, err));
    });
    request.on("response", (res) => {
      settled = true;
      // The listener must outlive the headers: aborting mid-body has to kill the stream too.
      res.on("close", () => signal?.removeEventListener("abort", onAbort));
      // Readers see errors through their iterator; this keeps an unread, aborted body from crashing.
      res.on("error", () => {});
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
    });

    if (typeof body === "function") {
      const stream = body();
      stream.on("error", (err) => request.destroy(err));
      stream.pipe(request);
    } else {
      request.end(body);
    }
  });
}

/** Reads a (small) body as text, capped so a hostile server cannot exhaust memory. */
export async function readText(res: HttpResponse, limit = 1 << 20): Promise<string> {
  return (await readBytes(res, limit)).toString("utf8");
}

export async function readBytes(res: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.body.destroy();
      throw new Error(`response body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Lets the connection go back to the keep-alive pool. */
export function discard(res: HttpResponse): void {
  res.body.resume();
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
