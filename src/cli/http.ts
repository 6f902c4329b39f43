// A fetch-shaped client over node:http. Node's fetch follows the browser's port blocklist and
// refuses e.g. OLLAMA_HOST=:6666 or :10080 with "bad port", where Ollama's Go client connects.
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

export type FetchInit = RequestInit & { duplex?: "half" };

// Statuses whose Response may not carry a body.
const NULL_BODY = new Set([101, 204, 205, 304]);

function requestBody(body: FetchInit["body"]): Readable | string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body);
  throw new TypeError("unsupported request body");
}

export function nodeFetch(input: string, init: FetchInit = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const url = new URL(input);
    const mod = url.protocol === "https:" ? https : http;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const body = requestBody(init.body);
    if (typeof body === "string" || body instanceof Uint8Array) {
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const req = mod.request(
      url,
      { method: init.method ?? "GET", headers, ...(init.signal ? { signal: init.signal } : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        const resHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined) continue;
          for (const one of Array.isArray(v) ? v : [v]) resHeaders.append(k, one);
        }
        // As with fetch, aborting mid-body fails the body's reader with the AbortError.
        const signal = init.signal;
        if (signal) {
          const onAbort = (): void => {
            const reason: unknown = signal.reason;
            res.destroy(
              reason instanceof Error ? reason : new DOMException("This operation was aborted", "AbortError"),
            );
          };
          signal.addEventListener("abort", onAbort, { once: true });
          res.once("close", () => signal.removeEventListener("abort", onAbort));
        }
        const empty = NULL_BODY.has(status) || init.method === "HEAD";
        if (empty) res.resume();
        resolve(
          new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage ?? "",
            headers: resHeaders,
          }),
        );
      },
    );
    req.on("error", (err) =>
      reject(err.name === "AbortError" ? err : new TypeError("fetch failed", { cause: err })),
    );
    if (body instanceof Readable) {
      body.on("error", (err) => req.destroy(err));
      body.pipe(req);
    } else {
      req.end(body);
    }
  });
}
