// One /api/tags entry, built from the manifest and its config blob only. Capabilities that need
// the GGUF header or the template (tools, thinking, vision from metadata) are left to core/.
import { blobPath } from "./blobs.js";
import { MEDIA_TYPES, manifestSize, type ConfigV2, type Manifest } from "./manifest.js";
import { readConfig } from "./model.js";
import { displayShortest, type ModelName } from "./names.js";
import type { ManifestEntry } from "./scan.js";

export interface ModelDetails {
  parentModel: string;
  format: string;
  family: string;
  /** null when the config has none: Ollama's nil slice, which /api/tags prints as null. */
  families: string[] | null;
  parameterSize: string;
  quantizationLevel: string;
  contextLength?: number;
  embeddingLength?: number;
}

export interface ModelSummary {
  name: ModelName;
  /** displayShortest(name): both `name` and `model` in /api/tags. */
  model: string;
  remoteModel?: string;
  remoteHost?: string;
  modifiedAt: Date;
  modifiedAtNs: bigint;
  /** Layers plus config blob, in bytes. */
  size: number;
  /** Hex sha256 of the manifest file. */
  digest: string;
  details: ModelDetails;
  /** Only those declared in the config (remote models); core/ adds the derived ones. */
  capabilities: string[];
  config: ConfigV2;
  manifest: Manifest;
  modelPath?: string;
  templateDigest?: string;
  projectorCount: number;
}

function detailsFrom(cfg: ConfigV2, manifest: Manifest): ModelDetails {
  const modelLayer = manifest.layers.findLast((l) => l.mediaType === MEDIA_TYPES.model);
  const details: ModelDetails = {
    parentModel: modelLayer?.from ?? "",
    format: cfg.model_format ?? "",
    family: cfg.model_family ?? "",
    families: cfg.model_families && cfg.model_families.length > 0 ? [...cfg.model_families] : null,
    parameterSize: cfg.model_type ?? "",
    quantizationLevel: cfg.file_type ?? "",
  };
  if (cfg.context_length) details.contextLength = cfg.context_length;
  if (cfg.embedding_length) details.embeddingLength = cfg.embedding_length;
  return details;
}

export async function summarise(entry: ManifestEntry, blobsDir: string): Promise<ModelSummary> {
  const cfg = await readConfig(entry, blobsDir);
  const { manifest } = entry;
  const modelLayer = manifest.layers.findLast((l) => l.mediaType === MEDIA_TYPES.model);
  const templateLayer = manifest.layers.findLast(
    (l) => l.mediaType === MEDIA_TYPES.template || l.mediaType === MEDIA_TYPES.prompt,
  );
  const summary: ModelSummary = {
    name: entry.name,
    model: displayShortest(entry.name),
    modifiedAt: entry.modifiedAt,
    modifiedAtNs: entry.modifiedAtNs,
    size: manifestSize(manifest),
    digest: entry.digest,
    details: detailsFrom(cfg, manifest),
    capabilities: [...(cfg.capabilities ?? [])],
    config: cfg,
    manifest,
    projectorCount: manifest.layers.filter((l) => l.mediaType === MEDIA_TYPES.projector).length,
  };
  if (cfg.remote_model) summary.remoteModel = cfg.remote_model;
  if (cfg.remote_host) summary.remoteHost = cfg.remote_host;
  if (modelLayer) summary.modelPath = blobPath(blobsDir, modelLayer.digest);
  if (templateLayer) summary.templateDigest = templateLayer.digest;
  return summary;
}
