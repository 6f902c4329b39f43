// Reading everything a model's manifest points at, as Ollama's GetModel does: layer paths by media
// type, plus the small text and JSON layers decoded.
import fs from "node:fs/promises";
import { blobPath } from "./blobs.js";
import { BlobNotFoundError } from "./errors.js";
import { MEDIA_TYPES, manifestSize, parseConfig, type ConfigV2, type Layer } from "./manifest.js";
import { displayShortest, nameToString } from "./names.js";
import type { ManifestEntry } from "./scan.js";

export interface ResolvedLayer extends Layer {
  path: string;
}

/** A chat message as stored in a messages layer (Ollama's api.Message JSON). */
export type StoredMessage = { role: string; content: string } & Record<string, unknown>;

export interface StoredModel {
  entry: ManifestEntry;
  /** host/namespace/model:tag */
  fullName: string;
  /** The /api/tags form: llama3:latest, user/model:tag, or the full name for other hosts. */
  shortName: string;
  /** Hex sha256 of the manifest, without prefix. */
  digest: string;
  size: number;
  config: ConfigV2;
  layers: ResolvedLayer[];
  modelPath?: string;
  /** The model layer's `from`: what /api/show reports as parent_model. */
  parentModel?: string;
  draftPath?: string;
  adapterPaths: string[];
  projectorPaths: string[];
  /** Undefined when the model has no template layer (Ollama then uses "{{ .Prompt }}"). */
  template?: string;
  system?: string;
  license: string[];
  params?: Record<string, unknown>;
  messages?: StoredMessage[];
}

async function readBlob(layer: ResolvedLayer): Promise<Buffer> {
  try {
    return await fs.readFile(layer.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new BlobNotFoundError(layer.digest);
    throw err;
  }
}

async function readJsonBlob<T>(layer: ResolvedLayer): Promise<T> {
  return JSON.parse((await readBlob(layer)).toString("utf8")) as T;
}

export async function readConfig(entry: ManifestEntry, blobsDir: string): Promise<ConfigV2> {
  const { digest } = entry.manifest.config;
  if (digest === "") return {};
  const file = blobPath(blobsDir, digest);
  return parseConfig(await readBlob({ ...entry.manifest.config, path: file }));
}

/** Applies one layer to the model being assembled; unknown media types are only listed. */
async function applyLayer(m: StoredModel, layer: ResolvedLayer): Promise<void> {
  switch (layer.mediaType) {
    case MEDIA_TYPES.model:
      m.modelPath = layer.path;
      if (layer.from) m.parentModel = layer.from;
      break;
    case MEDIA_TYPES.draft:
      m.draftPath = layer.path;
      break;
    case MEDIA_TYPES.adapter:
      m.adapterPaths.push(layer.path);
      break;
    case MEDIA_TYPES.projector:
      m.projectorPaths.push(layer.path);
      break;
    case MEDIA_TYPES.prompt:
    case MEDIA_TYPES.template:
      m.template = (await readBlob(layer)).toString("utf8");
      break;
    case MEDIA_TYPES.system:
      m.system = (await readBlob(layer)).toString("utf8");
      break;
    case MEDIA_TYPES.params:
      m.params = await readJsonBlob<Record<string, unknown>>(layer);
      break;
    case MEDIA_TYPES.messages:
      m.messages = await readJsonBlob<StoredMessage[]>(layer);
      break;
    case MEDIA_TYPES.license:
      m.license.push((await readBlob(layer)).toString("utf8"));
      break;
  }
}

export async function readModelFromManifest(entry: ManifestEntry, blobsDir: string): Promise<StoredModel> {
  const layers = entry.manifest.layers.map((l) => ({ ...l, path: blobPath(blobsDir, l.digest) }));
  const m: StoredModel = {
    entry,
    fullName: nameToString(entry.name),
    shortName: displayShortest(entry.name),
    digest: entry.digest,
    size: manifestSize(entry.manifest),
    config: await readConfig(entry, blobsDir),
    layers,
    adapterPaths: [],
    projectorPaths: [],
    license: [],
  };
  for (const layer of layers) await applyLayer(m, layer);
  return m;
}
