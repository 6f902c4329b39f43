// Startup housekeeping, in the order Ollama's Serve does it: rename old "sha256:" blob names, then
// (unless OLLAMA_NOPRUNE) drop stale partial/temp files and unreferenced blobs, and finally empty
// manifest folders. Everything younger than the grace period is left alone: it may belong to a
// pull or create whose manifest is not written yet.
import fs from "node:fs/promises";
import path from "node:path";
import { isValidDigest } from "./blobs.js";
import { isAtomicTempName, pruneEmptyDirs, walkFiles } from "./fsutil.js";
import { manifestDigests } from "./manifest.js";
import { scanManifests } from "./scan.js";

export interface PruneOptions {
  manifestsDir: string;
  blobsDir: string;
  noPrune: boolean;
  graceMs: number;
  warn: (message: string) => void;
}

export interface PruneReport {
  /** Blob files renamed from "sha256:<hex>" to "sha256-<hex>". */
  renamed: string[];
  /** Digests of unreferenced blobs removed. */
  removedBlobs: string[];
  /** Other files removed: partial downloads, temp files, junk in blobs/. */
  removedFiles: string[];
  /** Why blob pruning was skipped, if it was. */
  skipped?: string;
}

/** Very old Ollama stored blobs as "sha256:<hex>"; the colon is not portable. */
async function fixBlobNames(blobsDir: string): Promise<string[]> {
  const renamed: string[] = [];
  for await (const file of walkFiles(blobsDir)) {
    const base = path.basename(file);
    if (!base.startsWith("sha256:")) continue;
    const target = path.join(path.dirname(file), `sha256-${base.slice("sha256:".length)}`);
    await fs.rename(file, target);
    renamed.push(target);
  }
  return renamed;
}

async function isOlderThan(file: string, cutoffMs: number): Promise<boolean> {
  const st = await fs.stat(file).catch(() => undefined);
  return st !== undefined && st.mtimeMs < cutoffMs;
}

/** Our atomic-write leftovers in manifests/ (never valid names, so never models). */
async function removeStaleManifestTemps(manifestsDir: string, cutoffMs: number): Promise<string[]> {
  const removed: string[] = [];
  for await (const file of walkFiles(manifestsDir)) {
    if (!isAtomicTempName(path.basename(file)) || !(await isOlderThan(file, cutoffMs))) continue;
    await fs.rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

interface BlobSweep {
  candidates: Map<string, string>;
  removedFiles: string[];
}

/**
 * Old enough files in blobs/: a valid "sha256-<hex>" name becomes a removal candidate, any other
 * name (partial downloads, "-partial-N" chunk files, temp files) is removed outright.
 */
async function sweepBlobsDir(blobsDir: string, cutoffMs: number): Promise<BlobSweep> {
  const sweep: BlobSweep = { candidates: new Map(), removedFiles: [] };
  const entries = await fs.readdir(blobsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const file = path.join(blobsDir, entry.name);
    if (!(await isOlderThan(file, cutoffMs))) continue;
    const digest = entry.name.replaceAll("-", ":");
    if (isValidDigest(digest)) {
      sweep.candidates.set(digest, file);
    } else {
      await fs.rm(file, { force: true });
      sweep.removedFiles.push(file);
    }
  }
  return sweep;
}

export async function pruneStore(opts: PruneOptions): Promise<PruneReport> {
  const report: PruneReport = {
    renamed: await fixBlobNames(opts.blobsDir),
    removedBlobs: [],
    removedFiles: [],
  };
  if (opts.noPrune) return { ...report, skipped: "OLLAMA_NOPRUNE is set" };

  const cutoffMs = Date.now() - opts.graceMs;
  report.removedFiles.push(...(await removeStaleManifestTemps(opts.manifestsDir, cutoffMs)));

  // As Ollama: any unreadable manifest means we cannot know what is in use, so keep every blob.
  const { entries, problems } = await scanManifests(opts.manifestsDir);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path} (${p.reason})`).join(", ");
    opts.warn(`corrupt manifests detected, skipping prune operation. Re-pull or delete to clear: ${list}`);
    return { ...report, skipped: "corrupt manifests" };
  }

  const sweep = await sweepBlobsDir(opts.blobsDir, cutoffMs);
  report.removedFiles.push(...sweep.removedFiles);
  for (const entry of entries) {
    for (const digest of manifestDigests(entry.manifest)) sweep.candidates.delete(digest);
  }
  for (const [digest, file] of sweep.candidates) {
    await fs.rm(file, { force: true });
    report.removedBlobs.push(digest);
  }

  await pruneEmptyDirs(opts.manifestsDir);
  return report;
}
