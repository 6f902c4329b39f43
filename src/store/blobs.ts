// Content-addressed blobs under <root>/blobs/sha256-<hex>, written through a temp file in the same
// folder so a blob name only ever appears with its full, verified content.
import { createHash, randomInt } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BlobNotFoundError, DigestMismatchError, InvalidDigestError } from "./errors.js";

/** Ollama accepts either separator and either hex case, exactly as manifest.BlobsPath does. */
const DIGEST_PATTERN = /^sha256[:-][0-9a-fA-F]{64}$/;

export type BlobSource = Uint8Array | string | AsyncIterable<Uint8Array | string>;

export interface BlobInfo {
  digest: string;
  size: number;
  path: string;
  /** True when an identical blob was already there (Ollama's "using existing layer"). */
  existed: boolean;
}

export function isValidDigest(digest: string): boolean {
  return DIGEST_PATTERN.test(digest);
}

/** Throws Ollama's "invalid digest format" unless `digest` is sha256:<64 hex>. */
export function assertDigest(digest: string): void {
  if (!isValidDigest(digest)) throw new InvalidDigestError(digest);
}

/** The on-disk file name: the digest with ":" turned into "-" (Windows cannot hold ":"). */
export function blobFileName(digest: string): string {
  assertDigest(digest);
  return digest.replace(":", "-");
}

/** The validated pattern has no separators or dots, so the result always stays in blobsDir. */
export function blobPath(blobsDir: string, digest: string): string {
  return path.join(blobsDir, blobFileName(digest));
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * Ollama's own temp blobs are "sha256-<digits>"; ours follow the same shape so that either
 * server's startup prune recognises a leftover as an invalid name and removes it.
 */
function tempBlobPath(blobsDir: string): string {
  return path.join(blobsDir, `sha256-${process.pid}${randomInt(1e9, 1e10)}`);
}

function toIterable(source: BlobSource): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> {
  if (typeof source === "string" || source instanceof Uint8Array) return [source];
  return source;
}

async function streamToFile(source: BlobSource, file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(toIterable(source), hasher, createWriteStream(file, { flags: "wx", mode: 0o644 }));
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

async function touch(file: string): Promise<void> {
  const now = new Date();
  await fs.utimes(file, now, now);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/**
 * Streams `source` into the blob store. With `expected`, a mismatch removes the temp file and
 * throws DigestMismatchError with /api/blobs' wording; nothing is left behind either way.
 * An existing blob is kept and touched (its mtime protects it from the startup prune).
 */
export async function writeBlob(blobsDir: string, source: BlobSource, expected?: string): Promise<BlobInfo> {
  if (expected !== undefined) assertDigest(expected);
  await fs.mkdir(blobsDir, { recursive: true, mode: 0o755 });
  const temp = tempBlobPath(blobsDir);
  try {
    const { digest, size } = await streamToFile(source, temp);
    // Exact string comparison, as Ollama's upload handler does.
    if (expected !== undefined && digest !== expected) throw new DigestMismatchError(expected, digest);
    const final = blobPath(blobsDir, digest);
    const existed = await exists(final);
    if (existed) await touch(final);
    else {
      await fs.rename(temp, final);
      // Ollama forces 0644 whatever the umask, so other users of a shared store can read blobs.
      await fs.chmod(final, 0o644);
    }
    return { digest, size, path: final, existed };
  } finally {
    await fs.rm(temp, { force: true });
  }
}

export async function hasBlob(blobsDir: string, digest: string): Promise<boolean> {
  try {
    return (await fs.stat(blobPath(blobsDir, digest))).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

export async function blobSize(blobsDir: string, digest: string): Promise<number> {
  try {
    return (await fs.stat(blobPath(blobsDir, digest))).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new BlobNotFoundError(digest);
    throw err;
  }
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return `sha256:${hash.digest("hex")}`;
}

/**
 * Re-hashes a stored blob (pull's "verifying sha256 digest" step). A mismatch throws the
 * download wording; with `removeOnMismatch` the bad file is deleted first, as pull does.
 */
export async function verifyBlob(blobsDir: string, digest: string, removeOnMismatch = false): Promise<void> {
  const file = blobPath(blobsDir, digest);
  let actual: string;
  try {
    actual = await hashFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new BlobNotFoundError(digest);
    throw err;
  }
  if (actual === digest) return;
  if (removeOnMismatch) await fs.rm(file, { force: true });
  throw new DigestMismatchError(digest, actual, "download");
}
