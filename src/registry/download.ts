// One blob download: HEAD for its size, parallel byte ranges written into the partial file,
// sidecars checkpointed so a later pull (or process) resumes, retries with backoff, and a
// verify step that only ever renames a partial file into place when its sha256 matches.
// Concurrent pulls of the same blob in this process share one BlobDownload.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs, { type FileHandle } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DigestMismatchError } from "../store/index.js";
import type { RegistryClient } from "./client.js";
import { MaxRetriesError, RegistryError, RegistryHttpError, StallError } from "./errors.js";
import { header, type HttpResponse } from "./http.js";
import { loadParts, partialPath, removePartial, removeSidecars, writeSidecar, type Part } from "./parts.js";
import { runPool } from "./pool.js";
import { withRetries } from "./retry.js";
import { partSize, retryDelay, sleep, splitRanges, type Tuning } from "./tuning.js";

export interface DownloadSpec {
  client: RegistryClient;
  url: URL;
  digest: string;
  /** Final blob path in the store. */
  file: string;
  tuning: Tuning;
}

const active = new Map<string, BlobDownload>();

/** Failures a retry cannot fix. */
function isPermanent(err: unknown): boolean {
  if (err instanceof RegistryHttpError)
    return err.httpStatus < 500 && err.httpStatus !== 408 && err.httpStatus !== 429;
  if (err instanceof RegistryError && !(err instanceof RegistryHttpError)) return true;
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOSPC" || code === "EDQUOT" || code === "EROFS" || code === "EACCES";
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return `sha256:${hash.digest("hex")}`;
}

async function openForWrite(file: string): Promise<FileHandle> {
  try {
    return await fs.open(file, "r+");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return fs.open(file, "w+", 0o644);
  }
}

/** A 206 must start where we asked; anything else would be written at the wrong offset. */
function bytesToSkip(res: HttpResponse, start: number): number {
  if (res.status === 200) return start;
  if (res.status !== 206) throw new RegistryHttpError(res.status, "unexpected status for a range request");
  const range = /^bytes (\d+)-/.exec(header(res, "content-range") ?? "");
  if (!range || Number(range[1]) !== start)
    throw new Error(`range response starts at ${range?.[1] ?? "?"}, want ${start}`);
  return 0;
}

export class BlobDownload {
  readonly digest: string;
  total = 0;
  completed = 0;
  prepared = false;
  /** Bytes that came over the network in this process (not counting what was resumed). */
  received = 0;
  private parts: Part[] = [];
  private readonly abort = new AbortController();
  private refs = 0;
  private finished = false;
  cancelled = false;
  readonly fetched: Promise<void>;
  readonly settled: Promise<void>;
  private verification: Promise<void> | undefined;
  private readonly checkpoints = new Map<number, Promise<void>>();

  constructor(private readonly spec: DownloadSpec) {
    this.digest = spec.digest;
    this.fetched = this.run();
    this.fetched.then(
      () => (this.finished = true),
      () => {
        this.finished = true;
        if (active.get(spec.file) === this) active.delete(spec.file);
      },
    );
    this.settled = this.fetched.catch(() => {});
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async prepare(): Promise<void> {
    const { client, url, tuning, file } = this.spec;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    const resumed = await loadParts(file);
    if (resumed) {
      this.parts = resumed;
    } else {
      await removePartial(file);
      const res = await withRetries(tuning, this.signal, () =>
        client.request("HEAD", url, { signal: this.signal }),
      );
      res.body.resume();
      const total = Number(header(res, "content-length") ?? "NaN");
      if (!Number.isSafeInteger(total) || total < 0)
        throw new RegistryError(`registry gave no size for ${this.digest}`);
      this.parts = splitRanges(total, partSize(total, tuning)).map((r, n) => ({ n, ...r, completed: 0 }));
      for (const p of this.parts) await writeSidecar(file, p);
    }
    this.total = this.parts.reduce((s, p) => s + p.size, 0);
    this.completed = this.parts.reduce((s, p) => s + p.completed, 0);
    this.prepared = true;
  }

  private async run(): Promise<void> {
    await this.prepare();
    const fh = await openForWrite(partialPath(this.spec.file));
    try {
      if ((await fh.stat()).size !== this.total) await fh.truncate(this.total);
      const pending = this.parts.filter((p) => p.completed < p.size);
      await runPool(pending, this.spec.tuning.concurrency, this.signal, (p, s) => this.runPart(p, fh, s));
    } finally {
      await fh.close();
      await Promise.all(this.checkpoints.values());
    }
  }

  /** Serialised per part, so an older snapshot never overwrites a newer one. */
  private checkpoint(part: Part): Promise<void> {
    const snapshot = { ...part };
    const prev = this.checkpoints.get(part.n) ?? Promise.resolve();
    const next = prev.then(() => writeSidecar(this.spec.file, snapshot));
    this.checkpoints.set(
      part.n,
      next.catch(() => {}),
    );
    return next;
  }

  private async runPart(part: Part, fh: FileHandle, signal: AbortSignal): Promise<void> {
    const { tuning } = this.spec;
    let failures = 0;
    while (part.completed < part.size) {
      const before = part.completed;
      try {
        await this.fetchRange(part, fh, signal);
      } catch (err) {
        if (signal.aborted || isPermanent(err)) throw err;
        // A broken connection that delivered bytes is progress, not a failure: resume at once.
        failures = part.completed > before ? 0 : failures + 1;
        if (failures >= tuning.maxRetries) throw new MaxRetriesError(err);
        if (failures > 0) await sleep(retryDelay(failures, tuning), signal);
      } finally {
        await this.checkpoint(part);
      }
    }
  }

  private async fetchRange(part: Part, fh: FileHandle, outer: AbortSignal): Promise<void> {
    const { client, url, tuning } = this.spec;
    const attempt = new AbortController();
    const onOuter = (): void => attempt.abort(outer.reason);
    outer.addEventListener("abort", onOuter, { once: true });
    let lastByte = Date.now();
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastByte > tuning.stallTimeoutMs) attempt.abort(new StallError());
      },
      Math.max(10, Math.min(1000, tuning.stallTimeoutMs / 4)),
    );
    try {
      const start = part.offset + part.completed;
      const end = part.offset + part.size;
      const res = await client.request("GET", url, {
        headers: { Range: `bytes=${start}-${end - 1}` },
        signal: attempt.signal,
      });
      let skip = bytesToSkip(res, start);
      let lastCheckpoint = Date.now();
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        lastByte = Date.now();
        let buf = chunk;
        if (skip > 0) {
          const n = Math.min(skip, buf.length);
          skip -= n;
          buf = buf.subarray(n);
        }
        const pos = part.offset + part.completed;
        if (buf.length > end - pos) buf = buf.subarray(0, end - pos);
        if (buf.length > 0) await fh.write(buf, 0, buf.length, pos);
        // Counted only once written, so a checkpoint never claims bytes that are not on disk.
        part.completed += buf.length;
        this.completed += buf.length;
        this.received += buf.length;
        if (part.completed === part.size) break;
        if (lastByte - lastCheckpoint > tuning.checkpointIntervalMs) {
          lastCheckpoint = lastByte;
          this.checkpoint(part).catch(() => {});
        }
      }
      if (part.completed < part.size) throw new Error("unexpected EOF");
    } catch (err) {
      const reason: unknown = attempt.signal.reason;
      if (!outer.aborted && reason instanceof StallError) throw reason;
      throw err;
    } finally {
      clearInterval(watchdog);
      outer.removeEventListener("abort", onOuter);
    }
  }

  private release(): void {
    this.refs--;
    if (this.refs === 0 && !this.finished) {
      // Nobody is waiting any more: stop, keeping the partial file and sidecars for a resume.
      this.cancelled = true;
      this.abort.abort(Object.assign(new Error("download cancelled"), { name: "AbortError" }));
    }
  }

  /** Waits for the bytes, reporting (completed, total) every progressIntervalMs. */
  async wait(
    signal: AbortSignal | undefined,
    onTick: (completed: number, total: number) => void,
  ): Promise<void> {
    this.refs++;
    const tick = (): void => {
      if (this.prepared) onTick(this.completed, this.total);
    };
    const timer = setInterval(tick, this.spec.tuning.progressIntervalMs);
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this.fetched,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal?.reason as Error);
          if (signal?.aborted) onAbort();
          signal?.addEventListener("abort", onAbort, { once: true });
        }),
      ]);
      tick();
    } finally {
      clearInterval(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      this.release();
    }
  }

  /**
   * Hashes the finished partial file, then renames it into place; a mismatch deletes it and
   * throws Ollama's "file must be downloaded again". Shared by every pull waiting on this blob.
   */
  verify(): Promise<void> {
    this.verification ??= (async () => {
      try {
        await this.fetched;
        const partial = partialPath(this.spec.file);
        const actual = await hashFile(partial);
        if (actual !== this.digest) {
          await removePartial(this.spec.file);
          throw new DigestMismatchError(this.digest, actual, "download");
        }
        await removeSidecars(this.spec.file);
        await fs.rename(partial, this.spec.file);
        await fs.chmod(this.spec.file, 0o644);
      } finally {
        if (active.get(this.spec.file) === this) active.delete(this.spec.file);
      }
    })();
    return this.verification;
  }
}

/**
 * The download for this blob file, joining one already running in this process. A download
 * whose last waiter left is let finish recording its progress before a new one resumes it.
 */
export async function acquireDownload(spec: DownloadSpec): Promise<BlobDownload> {
  for (;;) {
    const existing = active.get(spec.file);
    if (existing && !existing.cancelled) return existing;
    if (existing) {
      await existing.settled;
      if (active.get(spec.file) === existing) active.delete(spec.file);
      continue;
    }
    const download = new BlobDownload(spec);
    active.set(spec.file, download);
    return download;
  }
}
