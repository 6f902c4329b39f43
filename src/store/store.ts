// The model store over an OLLAMA_MODELS folder: <root>/manifests/<host>/<ns>/<model>/<tag> and
// <root>/blobs/sha256-<hex>, byte-compatible with Ollama in both directions.
import fs from "node:fs/promises";
import path from "node:path";
import * as blobs from "./blobs.js";
import { InvalidNameError, ModelNotFoundError, type NameRole } from "./errors.js";
import { pruneEmptyDirs } from "./fsutil.js";
import {
  CONFIG_MEDIA_TYPE,
  encodeConfig,
  encodeManifest,
  manifestDigests,
  parseManifestBytes,
  readManifestFile,
  writeManifestFile,
  type ConfigV2,
  type Layer,
} from "./manifest.js";
import {
  canonicaliseName,
  displayShortest,
  isFullyQualified,
  nameFilepath,
  nameToString,
  parseModelName,
  type ModelName,
} from "./names.js";
import { pruneStore, type PruneReport } from "./prune.js";
import { readModelFromManifest, type StoredModel } from "./model.js";
import { locateManifests, scanManifests, type ManifestEntry } from "./scan.js";
import { summarise, type ModelSummary } from "./summary.js";

export interface StoreOptions {
  /** The OLLAMA_MODELS folder. */
  root: string;
  /** OLLAMA_NOPRUNE: skip the startup prune and pruning of layers a rewrite orphans. */
  noPrune?: boolean;
  /** Blobs younger than this may belong to a writer that has not written its manifest yet. */
  pruneGraceMs?: number;
  /** Where warnings about unreadable manifests go. */
  warn?: (message: string) => void;
}

/** A name as the user typed it (used verbatim in error messages) or already parsed. */
export type NameInput = string | ModelName;

export interface CreatedLayer {
  layer: Layer;
  /** Ollama's create progress line: "creating new layer sha256:…" or "using existing layer …". */
  status: string;
}

export type ModelContents = { config: ConfigV2; layers: Layer[] } | { configLayer: Layer; layers: Layer[] };

export interface WriteOptions {
  /** Remove blobs only the replaced manifest used (create and pull do; ignored under noPrune). */
  pruneReplaced?: boolean;
}

export interface Store {
  readonly root: string;
  readonly manifestsDir: string;
  readonly blobsDir: string;

  resolveName(input: NameInput, role?: NameRole): Promise<ModelName>;
  manifestPath(name: ModelName): string;
  exists(input: NameInput): Promise<boolean>;

  list(): Promise<ModelSummary[]>;
  readManifest(input: NameInput, role?: NameRole): Promise<ManifestEntry>;
  readModel(input: NameInput): Promise<StoredModel>;
  writeModel(input: NameInput, contents: ModelContents, options?: WriteOptions): Promise<ManifestEntry>;
  writeManifestBytes(
    input: NameInput,
    bytes: Uint8Array | string,
    options?: WriteOptions,
  ): Promise<ManifestEntry>;
  copy(source: string, destination: string): Promise<void>;
  delete(input: NameInput, options?: { keepBlobs?: boolean }): Promise<void>;
  prune(): Promise<PruneReport>;
  removeUnusedBlobs(digests: Iterable<string>): Promise<string[]>;

  createLayer(data: blobs.BlobSource, mediaType: string): Promise<CreatedLayer>;
  layerFromBlob(digest: string, mediaType: string, from?: string): Promise<CreatedLayer>;
  writeBlob(source: blobs.BlobSource, expectedDigest?: string): Promise<blobs.BlobInfo>;
  hasBlob(digest: string): Promise<boolean>;
  blobSize(digest: string): Promise<number>;
  blobPath(digest: string): string;
  verifyBlob(digest: string, removeOnMismatch?: boolean): Promise<void>;
}

const HOUR_MS = 60 * 60 * 1000;

function rawName(input: NameInput): string {
  return typeof input === "string" ? input : nameToString(input);
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function createStore(options: StoreOptions): Store {
  const root = path.resolve(options.root);
  const manifestsDir = path.join(root, "manifests");
  const blobsDir = path.join(root, "blobs");
  const noPrune = options.noPrune ?? false;
  const warn = options.warn ?? (() => {});

  const manifestPath = (name: ModelName): string => path.join(manifestsDir, nameFilepath(name));

  function parseInput(input: NameInput, role: NameRole): ModelName {
    if (typeof input === "string") return parseModelName(input, role);
    if (!isFullyQualified(input)) throw new InvalidNameError(nameToString(input), role);
    return input;
  }

  async function resolveName(input: NameInput, role: NameRole = "model"): Promise<ModelName> {
    const parsed = parseInput(input, role);
    // An exact spelling on disk wins anyway, so the folder walk is only needed without one.
    if (await fileExists(manifestPath(parsed))) return parsed;
    const { found } = await locateManifests(manifestsDir);
    return canonicaliseName(
      parsed,
      found.map((f) => f.name),
    );
  }

  async function readManifest(input: NameInput, role: NameRole = "model"): Promise<ManifestEntry> {
    const name = await resolveName(input, role);
    try {
      return { ...(await readManifestFile(manifestPath(name))), name };
    } catch (err) {
      if (isNotFound(err)) throw new ModelNotFoundError(rawName(input));
      throw err;
    }
  }

  async function referencedDigests(): Promise<Set<string>> {
    // Unreadable manifests are skipped, as Ollama does, so a corrupt file never blocks a delete.
    const { entries, problems } = await scanManifests(manifestsDir);
    for (const p of problems) warn(`bad manifest ${p.path}: ${p.reason}`);
    return new Set(entries.flatMap((e) => manifestDigests(e.manifest)));
  }

  async function removeUnusedBlobs(digests: Iterable<string>): Promise<string[]> {
    const inUse = await referencedDigests();
    const removed: string[] = [];
    for (const digest of new Set(digests)) {
      if (inUse.has(digest) || !blobs.isValidDigest(digest)) continue;
      try {
        await fs.rm(blobs.blobPath(blobsDir, digest));
        removed.push(digest);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return removed;
  }

  async function previousDigests(name: ModelName): Promise<string[]> {
    try {
      return manifestDigests((await readManifestFile(manifestPath(name))).manifest);
    } catch {
      return [];
    }
  }

  async function commitManifest(
    input: NameInput,
    bytes: Uint8Array | string,
    options: WriteOptions,
  ): Promise<ManifestEntry> {
    const name = await resolveName(input);
    const file = manifestPath(name);
    // Refuse bytes no reader could use before they replace a working manifest.
    parseManifestBytes(typeof bytes === "string" ? Buffer.from(bytes) : bytes, file);
    const before = options.pruneReplaced && !noPrune ? await previousDigests(name) : [];
    await writeManifestFile(file, bytes);
    if (before.length > 0) await removeUnusedBlobs(before);
    return { ...(await readManifestFile(file)), name };
  }

  async function writeModel(input: NameInput, contents: ModelContents, options: WriteOptions = {}) {
    for (const layer of contents.layers) await blobs.blobSize(blobsDir, layer.digest);
    const configLayer =
      "configLayer" in contents
        ? contents.configLayer
        : (await createLayer(encodeConfig(contents.config), CONFIG_MEDIA_TYPE)).layer;
    // The manifest goes last: until it exists nothing refers to the blobs written above.
    return commitManifest(input, encodeManifest(configLayer, contents.layers), options);
  }

  async function copy(source: string, destination: string): Promise<void> {
    const src = await resolveName(source, "source");
    const dst = await resolveName(destination, "destination");
    const srcPath = manifestPath(src);
    const dstPath = manifestPath(dst);
    if (srcPath === dstPath) return;
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(srcPath);
    } catch (err) {
      if (isNotFound(err)) throw new ModelNotFoundError(source, "quoted");
      throw err;
    }
    // Byte-for-byte, so the copy reports the same digest as the source.
    await writeManifestFile(dstPath, bytes);
  }

  async function deleteModel(input: NameInput, opts: { keepBlobs?: boolean } = {}): Promise<void> {
    const entry = await readManifest(input, "name");
    await fs.rm(entry.path);
    await pruneEmptyDirs(manifestsDir);
    if (!opts.keepBlobs) await removeUnusedBlobs(manifestDigests(entry.manifest));
  }

  async function createLayer(data: blobs.BlobSource, mediaType: string): Promise<CreatedLayer> {
    const info = await blobs.writeBlob(blobsDir, data);
    const status = `${info.existed ? "using existing" : "creating new"} layer ${info.digest}`;
    return { layer: { mediaType, digest: info.digest, size: info.size }, status };
  }

  async function layerFromBlob(digest: string, mediaType: string, from?: string): Promise<CreatedLayer> {
    const size = await blobs.blobSize(blobsDir, digest);
    const now = new Date();
    // Touching it keeps a blob just adopted by a create from looking stale to the prune.
    await fs.utimes(blobs.blobPath(blobsDir, digest), now, now);
    const layer: Layer = { mediaType, digest, size };
    if (from) layer.from = from;
    return { layer, status: `using existing layer ${digest}` };
  }

  async function list(): Promise<ModelSummary[]> {
    const { entries, problems } = await scanManifests(manifestsDir);
    for (const p of problems) warn(`bad manifest ${p.path}: ${p.reason}`);
    const out: ModelSummary[] = [];
    for (const entry of entries) {
      try {
        out.push(await summarise(entry, blobsDir));
      } catch (err) {
        warn(`skipping ${displayShortest(entry.name)}: ${(err as Error).message}`);
      }
    }
    // Newest first by whole seconds as Ollama sorts; ties by name to stay deterministic.
    return out.sort(
      (a, b) =>
        Math.floor(b.modifiedAt.getTime() / 1000) - Math.floor(a.modifiedAt.getTime() / 1000) ||
        (a.model < b.model ? -1 : a.model > b.model ? 1 : 0),
    );
  }

  return {
    root,
    manifestsDir,
    blobsDir,
    resolveName,
    manifestPath,
    exists: async (input) => fileExists(manifestPath(await resolveName(input))),
    list,
    readManifest,
    async readModel(input) {
      const entry = await readManifest(input);
      return readModelFromManifest(entry, blobsDir);
    },
    writeModel,
    writeManifestBytes: (input, bytes, options = {}) => commitManifest(input, bytes, options),
    copy,
    delete: deleteModel,
    prune: () =>
      pruneStore({ manifestsDir, blobsDir, noPrune, graceMs: options.pruneGraceMs ?? HOUR_MS, warn }),
    removeUnusedBlobs,
    createLayer,
    layerFromBlob,
    writeBlob: (source, expected) => blobs.writeBlob(blobsDir, source, expected),
    hasBlob: (digest) => blobs.hasBlob(blobsDir, digest),
    blobSize: (digest) => blobs.blobSize(blobsDir, digest),
    blobPath: (digest) => blobs.blobPath(blobsDir, digest),
    verifyBlob: (digest, removeOnMismatch) => blobs.verifyBlob(blobsDir, digest, removeOnMismatch),
  };
}
