// One blob upload, as the distribution spec has it: HEAD to skip blobs the registry has, POST to
// open an upload (or mount it from another repository), then PATCH chunks and a closing
// PUT ?digest=, or a single monolithic PUT. A failed attempt starts a fresh upload session.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Layer, Store } from "../store/index.js";
import type { RegistryClient } from "./client.js";
import { blobUrl, repositoryOf, uploadsUrl, type Endpoint } from "./endpoint.js";
import { RegistryError, RegistryNotFoundError, isAbortError } from "./errors.js";
import { discard, header, type HttpResponse } from "./http.js";
import { transferProgress, type ProgressFn } from "./progress.js";
import { isRetryable } from "./retry.js";
import { partSize, retryDelay, sleep, splitRanges, type Tuning } from "./tuning.js";

export interface UploadContext {
  store: Store;
  endpoint: Endpoint;
  client: RegistryClient;
  tuning: Tuning;
  signal: AbortSignal | undefined;
  emit: ProgressFn;
}

const OCTET = "application/octet-stream";

/** Docker-Upload-Location first, as Ollama reads it; relative locations resolve against the request. */
function nextLocation(res: HttpResponse): URL {
  const location = header(res, "docker-upload-location") ?? header(res, "location");
  if (!location) throw new RegistryError(`registry gave no upload location (status ${res.status})`);
  return new URL(location, res.url);
}

function withDigest(url: URL, digest: string): URL {
  const out = new URL(url);
  out.searchParams.set("digest", digest);
  return out;
}

class Upload {
  private confirmed = 0;
  private inflight = 0;

  constructor(
    private readonly ctx: UploadContext,
    private readonly layer: Layer,
  ) {}

  get completed(): number {
    return this.confirmed + this.inflight;
  }

  /** A fresh stream per call, so a request retried after a token refresh resends the bytes. */
  private body(start: number, size: number): () => Readable {
    const file = this.ctx.store.blobPath(this.layer.digest);
    return () => {
      this.inflight = 0;
      const source = createReadStream(file, { start, end: start + size - 1, highWaterMark: 1 << 20 });
      const counted = async function* (this: Upload): AsyncGenerator<Buffer> {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          this.inflight += chunk.length;
          yield chunk;
        }
      }.call(this);
      return Readable.from(counted, { objectMode: false });
    };
  }

  private async open(): Promise<URL | undefined> {
    const { ctx, layer } = this;
    let mount: { digest: string; from: string } | undefined;
    try {
      if (layer.from) mount = { digest: layer.digest, from: repositoryOf(layer.from) };
    } catch {
      mount = undefined;
    }
    const res = await ctx.client.request("POST", uploadsUrl(ctx.endpoint, mount), {
      headers: { "Content-Length": "0" },
      signal: ctx.signal,
      manualRedirect: true,
    });
    discard(res);
    // 201 means the registry mounted the blob from `from`: nothing to send.
    if (res.status === 201) return undefined;
    return nextLocation(res);
  }

  private async send(
    method: string,
    url: URL,
    start: number,
    size: number,
    extra: Record<string, string> = {},
  ): Promise<HttpResponse> {
    const res = await this.ctx.client.request(method, url, {
      headers: { "Content-Type": OCTET, "Content-Length": String(size), ...extra },
      body: size > 0 ? this.body(start, size) : "",
      signal: this.ctx.signal,
      manualRedirect: true,
    });
    discard(res);
    this.confirmed += this.inflight;
    this.inflight = 0;
    return res;
  }

  private async attempt(): Promise<void> {
    const { layer, ctx } = this;
    this.confirmed = 0;
    this.inflight = 0;
    let location = await this.open();
    if (!location) {
      this.confirmed = layer.size;
      return;
    }
    if (ctx.tuning.monolithicUpload) {
      await this.send("PUT", withDigest(location, layer.digest), 0, layer.size);
      return;
    }
    const chunk = ctx.tuning.uploadChunkSize ?? partSize(layer.size, ctx.tuning);
    for (const r of splitRanges(layer.size, chunk)) {
      const range = { "Content-Range": `${r.offset}-${r.offset + r.size - 1}` };
      location = nextLocation(await this.send("PATCH", location, r.offset, r.size, range));
    }
    await this.send("PUT", withDigest(location, layer.digest), 0, 0);
  }

  async run(): Promise<void> {
    const { ctx } = this;
    for (let failures = 1; ; failures++) {
      try {
        return await this.attempt();
      } catch (err) {
        if (isAbortError(err, ctx.signal) || !isRetryable(err) || failures >= ctx.tuning.maxRetries)
          throw err;
        await sleep(retryDelay(failures, ctx.tuning), ctx.signal);
      }
    }
  }
}

async function registryHas(ctx: UploadContext, digest: string): Promise<boolean> {
  try {
    discard(await ctx.client.request("HEAD", blobUrl(ctx.endpoint, digest), { signal: ctx.signal }));
    return true;
  } catch (err) {
    if (err instanceof RegistryNotFoundError) return false;
    throw err;
  }
}

export async function uploadBlob(ctx: UploadContext, layer: Layer): Promise<void> {
  const report = (completed: number): void =>
    ctx.emit(transferProgress("pushing", layer.digest, layer.size, completed));
  if (await registryHas(ctx, layer.digest)) {
    report(layer.size);
    return;
  }
  const upload = new Upload(ctx, layer);
  report(0);
  const timer = setInterval(() => report(upload.completed), ctx.tuning.progressIntervalMs);
  try {
    await upload.run();
  } finally {
    clearInterval(timer);
  }
  report(layer.size);
}
