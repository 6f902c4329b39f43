// Resume state of a blob download, in Ollama's layout so either server can resume the other's
// partial pull: the data in `sha256-<hex>-partial`, and one JSON sidecar per byte range,
// `sha256-<hex>-partial-<N>`, holding {"N","Offset","Size","Completed"}.
import { randomInt } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

export interface Part {
  n: number;
  offset: number;
  size: number;
  /** Bytes of this range already in the partial file, counted from `offset`. */
  completed: number;
}

export function partialPath(blobFile: string): string {
  return `${blobFile}-partial`;
}

export function sidecarPath(blobFile: string, n: number): string {
  return `${partialPath(blobFile)}-${n}`;
}

/** Go's json.Encoder output for Ollama's jsonBlobDownloadPart. */
export function encodePart(p: Part): string {
  return `${JSON.stringify({ N: p.n, Offset: p.offset, Size: p.size, Completed: p.completed })}\n`;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

export function decodePart(text: string): Part | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  if (!isCount(o.N) || !isCount(o.Offset) || !isCount(o.Size) || !isCount(o.Completed)) return undefined;
  if (o.Completed > o.Size) return undefined;
  return { n: o.N, offset: o.Offset, size: o.Size, completed: o.Completed };
}

/**
 * The temp name starts with a dot so it never matches the `-partial-*` glob Ollama resumes from,
 * and a crash mid-write leaves the previous sidecar intact.
 */
export async function writeSidecar(blobFile: string, part: Part): Promise<void> {
  const file = sidecarPath(blobFile, part.n);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomInt(1e9)}.tmp`);
  try {
    await fs.writeFile(temp, encodePart(part), { mode: 0o644 });
    await fs.rename(temp, file);
  } finally {
    await fs.rm(temp, { force: true });
  }
}

async function sidecarFiles(blobFile: string): Promise<string[]> {
  const prefix = `${path.basename(partialPath(blobFile))}-`;
  const names = await fs.readdir(path.dirname(blobFile)).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
}

/** Parts that tile [0, total) in order; anything else is not a state we can resume from. */
function isTiling(parts: Part[], total: number | undefined): boolean {
  let offset = 0;
  for (const [i, p] of parts.entries()) {
    if (p.n !== i || p.offset !== offset || p.size === 0) return false;
    offset += p.size;
  }
  return total === undefined || offset === total;
}

/**
 * Loads the sidecars of an earlier attempt. Undefined when there are none or they cannot be
 * trusted (unreadable, gaps, another size, or the data file gone), in which case the caller
 * starts over.
 */
export async function loadParts(blobFile: string, expectedTotal?: number): Promise<Part[] | undefined> {
  const dir = path.dirname(blobFile);
  const files = await sidecarFiles(blobFile);
  if (files.length === 0) return undefined;
  const parts: Part[] = [];
  for (const f of files) {
    const part = decodePart(await fs.readFile(path.join(dir, f), "utf8").catch(() => ""));
    if (!part) return undefined;
    parts.push(part);
  }
  parts.sort((a, b) => a.n - b.n);
  if (!isTiling(parts, expectedTotal)) return undefined;
  const total = parts.reduce((s, p) => s + p.size, 0);
  const data = await fs.stat(partialPath(blobFile)).catch(() => undefined);
  if (!data || data.size !== total) return undefined;
  return parts;
}

/** Sidecars plus temp files a killed process left mid-write. */
async function sidecarsAndTemps(blobFile: string): Promise<string[]> {
  const tempPrefix = `.${path.basename(partialPath(blobFile))}-`;
  const names = await fs.readdir(path.dirname(blobFile)).catch(() => [] as string[]);
  return [
    ...(await sidecarFiles(blobFile)),
    ...names.filter((n) => n.startsWith(tempPrefix) && n.endsWith(".tmp")),
  ];
}

export async function removeSidecars(blobFile: string): Promise<void> {
  const dir = path.dirname(blobFile);
  for (const f of await sidecarsAndTemps(blobFile)) await fs.rm(path.join(dir, f), { force: true });
}

/** Removes the partial data file and every sidecar. */
export async function removePartial(blobFile: string): Promise<void> {
  await removeSidecars(blobFile);
  await fs.rm(partialPath(blobFile), { force: true });
}
