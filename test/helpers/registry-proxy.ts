// A fault-injecting HTTP proxy for registry tests. It forwards to a real registry and can cut
// blob responses, stall them, flip a byte, demand a bearer token it issues itself, and redirect
// blob downloads to a second "storage" host, while counting blob bytes and recording headers.
import { once } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyFaults {
  /** Cut the blob response that carries the total served past each multiple of this many bytes. */
  cutEveryBytes?: number;
  /** Most cuts to make (default unlimited). */
  cutLimit?: number;
  /** Stop sending (connection left open) once this many blob bytes have gone out in total... */
  stallAfterBytes?: number;
  /** ...for this long; Infinity stalls until the client gives up. */
  stallMs?: number;
  /** Flip the byte at this offset of the blob (every response covering it). */
  flipOffset?: number;
  /** Only this blob is corrupted (default: any blob). */
  flipDigest?: string;
  /** Answer this status to blob GETs instead of serving them (e.g. 500), `failBlobGets` times. */
  failBlobStatus?: number;
  failBlobGets?: number;
}

export interface ProxyOptions {
  upstream: URL;
  /** Demand `Authorization: Bearer <token>` on /v2/ paths and serve the token at /token. */
  tokenAuth?: boolean;
  /** With tokenAuth: the token endpoint also wants these Basic credentials. */
  basicCredentials?: { username: string; password: string };
  /** Redirect blob GET/HEAD to a second server on another port. */
  redirectBlobs?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  range: string | undefined;
}

export interface ProxyStats {
  blobBytes: number;
  cuts: number;
  stalls: number;
  flips: number;
  requests: SeenRequest[];
  tokenRequests: URL[];
  /** Requests the redirect target ("blob storage") received. */
  storageRequests: SeenRequest[];
}

export interface RegistryProxy {
  /** host:port for model names. */
  host: string;
  url: URL;
  token: string;
  faults: ProxyFaults;
  stats: ProxyStats;
  resetStats(): void;
  /**
   * Lets requests a just-killed client had already sent reach the proxy, so they count before a
   * resetStats() rather than after it (responses count into the stats current when they began).
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Tracks a response's connection: `destroyed` is not set when the peer goes away, so a flag
 * set by the one "close" event is the reliable way to know.
 */
interface Connection {
  gone: () => boolean;
  closed: Promise<void>;
  writable: () => Promise<void>;
}

function watch(res: ServerResponse): Connection {
  let gone = false;
  const closed = new Promise<void>((resolve) =>
    res.once("close", () => {
      gone = true;
      resolve();
    }),
  );
  const writable = (): Promise<void> =>
    new Promise((resolve) => {
      if (gone) return resolve();
      const done = (): void => {
        res.off("drain", done);
        resolve();
      };
      res.on("drain", done);
      void closed.then(done);
    });
  return { gone: () => gone, closed, writable };
}

const BLOB_PATH = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;

function seen(req: IncomingMessage): SeenRequest {
  return {
    method: req.method ?? "",
    path: req.url ?? "",
    authorization: req.headers.authorization,
    range: req.headers.range,
  };
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function emptyStats(): ProxyStats {
  return { blobBytes: 0, cuts: 0, stalls: 0, flips: 0, requests: [], tokenRequests: [], storageRequests: [] };
}

export async function startRegistryProxy(options: ProxyOptions): Promise<RegistryProxy> {
  const token = `tok-${Math.random().toString(36).slice(2)}`;
  const state = { faults: {} as ProxyFaults, stats: emptyStats() };
  const sockets = new Set<import("node:net").Socket>();
  let host = "";
  let storageHost = "";
  let sending = 0;

  /** Pipes a blob body to the client through the configured faults. */
  async function pipeBlob(
    up: IncomingMessage,
    res: ServerResponse,
    conn: Connection,
    digest: string,
  ): Promise<void> {
    const f = state.faults;
    const s = state.stats;
    const range = /^bytes (\d+)-/.exec(String(up.headers["content-range"] ?? ""));
    let offset = range ? Number(range[1]) : 0;
    for await (const raw of up as AsyncIterable<Buffer>) {
      let chunk = raw;
      if (f.flipOffset !== undefined && (!f.flipDigest || f.flipDigest === digest)) {
        const at = f.flipOffset - offset;
        if (at >= 0 && at < chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[at] = (chunk[at] ?? 0) ^ 0xff;
          s.flips++;
        }
      }
      let cutHere: number | undefined;
      if (f.cutEveryBytes && s.cuts < (f.cutLimit ?? Infinity)) {
        const next = (Math.floor(s.blobBytes / f.cutEveryBytes) + 1) * f.cutEveryBytes;
        if (s.blobBytes + chunk.length >= next) cutHere = next - s.blobBytes;
      }
      let stallHere: number | undefined;
      const stallAt = f.stallAfterBytes === undefined ? undefined : Math.ceil(f.stallAfterBytes);
      if (stallAt !== undefined && s.stalls === 0 && s.blobBytes + chunk.length >= stallAt) {
        stallHere = Math.max(0, stallAt - s.blobBytes);
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, cutHere ?? Infinity, stallHere ?? Infinity));
      s.blobBytes += piece.length;
      offset += piece.length;
      if (piece.length > 0 && !res.write(piece)) await conn.writable();
      if (cutHere !== undefined && piece.length === cutHere) {
        s.cuts++;
        res.socket?.destroy();
        up.destroy();
        return;
      }
      if (stallHere !== undefined && piece.length === stallHere) {
        s.stalls++;
        up.pause();
        const ms = f.stallMs ?? Infinity;
        if (!Number.isFinite(ms)) {
          await conn.closed;
          up.destroy();
          return;
        }
        await new Promise((r) => setTimeout(r, ms));
        const rest = chunk.subarray(piece.length);
        s.blobBytes += rest.length;
        offset += rest.length;
        if (rest.length > 0 && !res.write(rest)) await conn.writable();
        up.resume();
      }
      if (conn.gone()) {
        up.destroy();
        return;
      }
    }
    res.end();
  }

  function forward(req: IncomingMessage, res: ServerResponse, path: string, blobDigest?: string): void {
    const headers = { ...req.headers };
    delete headers.authorization;
    // Keeping the client's Host makes the registry build upload Locations that point at us.
    headers.host = host;
    // Watched from the start: the client may vanish before the registry answers.
    const conn = watch(res);
    const up = http.request(new URL(path, options.upstream), { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      const isBody =
        blobDigest && req.method === "GET" && (upRes.statusCode === 200 || upRes.statusCode === 206);
      if (!isBody) {
        upRes.pipe(res);
        return;
      }
      sending++;
      pipeBlob(upRes, res, conn, blobDigest)
        .catch(() => res.destroy())
        .finally(() => sending--);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  }

  function challenge(res: ServerResponse, repo: string): void {
    const scope = repo ? `repository:${repo}:pull,push` : "registry:catalog:*";
    res.writeHead(401, {
      "WWW-Authenticate": `Bearer realm="http://${host}/token",service="tollama-test",scope="${scope}"`,
      "Content-Type": "application/json",
    });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  }

  function serveToken(req: IncomingMessage, res: ServerResponse): void {
    state.stats.tokenRequests.push(new URL(req.url ?? "/", `http://${host}`));
    const creds = options.basicCredentials;
    const expected =
      creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end('{"details":"bad credentials"}');
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ token, expires_in: 300 }));
  }

  const proxy = http.createServer((req, res) => {
    state.stats.requests.push(seen(req));
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/token") return serveToken(req, res);
    const blob = BLOB_PATH.exec(url.pathname);
    const repo = /^\/v2\/(.+?)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? "";
    if (
      options.tokenAuth &&
      url.pathname.startsWith("/v2/") &&
      req.headers.authorization !== `Bearer ${token}`
    ) {
      req.resume();
      return challenge(res, repo);
    }
    const f = state.faults;
    if (blob && req.method === "GET" && f.failBlobStatus && (f.failBlobGets ?? 0) > 0) {
      f.failBlobGets = (f.failBlobGets ?? 0) - 1;
      res.writeHead(f.failBlobStatus, { "Content-Type": "text/plain" });
      return res.end("injected failure");
    }
    if (blob && options.redirectBlobs && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(307, { Location: `http://${storageHost}/storage/${blob[1]}/${blob[2]}?signature=abc` });
      return res.end();
    }
    forward(req, res, req.url ?? "/", blob?.[2]);
  });

  // The redirect target: serves blobs straight from the registry, recording what it was sent.
  const storage = http.createServer((req, res) => {
    state.stats.storageRequests.push(seen(req));
    const m = /^\/storage\/(.+)\/(sha256:[0-9a-f]{64})$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (!m) {
      res.writeHead(404);
      return res.end();
    }
    forward(req, res, `/v2/${m[1]}/blobs/${m[2]}`, m[2]);
  });

  for (const server of [proxy, storage])
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
  host = `127.0.0.1:${await listen(proxy)}`;
  storageHost = `127.0.0.1:${await listen(storage)}`;

  return {
    host,
    url: new URL(`http://${host}`),
    token,
    get faults() {
      return state.faults;
    },
    set faults(f: ProxyFaults) {
      state.faults = f;
    },
    get stats() {
      return state.stats;
    },
    resetStats() {
      state.stats = emptyStats();
    },
    async settle() {
      await new Promise((r) => setTimeout(r, 200));
      const deadline = Date.now() + 2000;
      while (sending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => storage.close(r))]);
    },
  };
}
