// Docker v2 schema 2 manifests and Ollama's config blob, in the JSON shapes and byte layout
// Ollama writes (Go's json.Encoder: compact, struct field order, trailing newline).
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { CorruptManifestError } from "./errors.js";
import { writeFileAtomic } from "./fsutil.js";
import { goJsonLine } from "./gojson.js";

export const MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
export const CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";

export const MEDIA_TYPES = {
  model: "application/vnd.ollama.image.model",
  adapter: "application/vnd.ollama.image.adapter",
  projector: "application/vnd.ollama.image.projector",
  template: "application/vnd.ollama.image.template",
  /** Older name for the template layer; still read. */
  prompt: "application/vnd.ollama.image.prompt",
  system: "application/vnd.ollama.image.system",
  params: "application/vnd.ollama.image.params",
  messages: "application/vnd.ollama.image.messages",
  license: "application/vnd.ollama.image.license",
  /** Deprecated embeddings layer; ignored when reading. */
  embed: "application/vnd.ollama.image.embed",
  draft: "application/vnd.ollama.image.draft",
  tensor: "application/vnd.ollama.image.tensor",
  json: "application/vnd.ollama.image.json",
} as const;

/** On-disk JSON shape of a manifest layer (Ollama's field names). */
export interface Layer {
  mediaType: string;
  digest: string;
  size: number;
  /** The model this layer was taken from (create FROM); omitted when empty. */
  from?: string;
  /** Tensor name for per-tensor layers; omitted when empty. */
  name?: string;
}

/** On-disk JSON shape of a manifest. */
export interface Manifest {
  schemaVersion: number;
  mediaType: string;
  config: Layer;
  layers: Layer[];
}

export interface DraftConfig {
  model_format?: string;
  architecture?: string;
  tensor_prefix?: string;
  config?: string;
}

/** On-disk JSON shape of Ollama's config blob (types/model ConfigV2). */
export interface ConfigV2 {
  model_format?: string;
  model_family?: string;
  model_families?: string[] | null;
  model_type?: string;
  file_type?: string;
  renderer?: string;
  parser?: string;
  requires?: string;
  remote_host?: string;
  remote_model?: string;
  capabilities?: string[];
  context_length?: number;
  embedding_length?: number;
  base_name?: string;
  draft?: DraftConfig | null;
  architecture?: string;
  os?: string;
  /** Written by Ollama before Aug 2026 (never read there); kept when reading, never written. */
  rootfs?: { type: string; diff_ids: string[] | null };
}

function encodeLayer(layer: Layer): Record<string, unknown> {
  const out: Record<string, unknown> = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
  if (layer.from) out.from = layer.from;
  if (layer.name) out.name = layer.name;
  return out;
}

/** The bytes Ollama's WriteManifest produces for the same config and layers. */
export function encodeManifest(config: Layer, layers: Layer[]): string {
  return goJsonLine({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: encodeLayer(config),
    layers: layers.map(encodeLayer),
  });
}

function encodeDraft(d: DraftConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.model_format) out.model_format = d.model_format;
  if (d.architecture) out.architecture = d.architecture;
  if (d.tensor_prefix) out.tensor_prefix = d.tensor_prefix;
  if (d.config) out.config = d.config;
  return out;
}

/** Adds `key` unless Go's omitempty would drop `value`. */
function putOmitEmpty(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  out[key] = value;
}

/** The bytes Ollama's createConfigLayer produces: ConfigV2 field order, omitempty honoured. */
export function encodeConfig(c: ConfigV2): string {
  const out: Record<string, unknown> = {
    model_format: c.model_format ?? "",
    model_family: c.model_family ?? "",
    model_families: c.model_families ?? null,
    model_type: c.model_type ?? "",
    file_type: c.file_type ?? "",
  };
  putOmitEmpty(out, "renderer", c.renderer);
  putOmitEmpty(out, "parser", c.parser);
  putOmitEmpty(out, "requires", c.requires);
  putOmitEmpty(out, "remote_host", c.remote_host);
  putOmitEmpty(out, "remote_model", c.remote_model);
  putOmitEmpty(out, "capabilities", c.capabilities);
  putOmitEmpty(out, "context_length", c.context_length);
  putOmitEmpty(out, "embedding_length", c.embedding_length);
  putOmitEmpty(out, "base_name", c.base_name);
  if (c.draft) out.draft = encodeDraft(c.draft);
  out.architecture = c.architecture ?? "";
  out.os = c.os ?? "";
  return goJsonLine(out);
}

/**
 * Index just past the first top-level JSON value, or -1. Go's json.Decoder stops there and
 * ignores whatever follows, so we must too.
 */
export function endOfFirstJsonValue(text: string): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Ollama hashes the manifest through a TeeReader under json.Decoder, so the digest covers the
 * bytes the decoder happened to read: the decoder's buffer grows 512, 1536, 3584, ... and it stops
 * reading once the first value is complete. Only when the closing brace lands exactly on one of
 * those boundaries does that differ from the whole file (the trailing newline is then unread).
 */
export function bytesOllamaHashes(fileLength: number, valueEnd: number): number {
  let readUpTo = 512;
  while (readUpTo < valueEnd) readUpTo = 2 * readUpTo + 512;
  return Math.min(fileLength, readUpTo);
}

function asString(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function normaliseLayer(v: unknown): Layer {
  const o = (v !== null && typeof v === "object" ? v : {}) as Record<string, unknown>;
  const layer: Layer = {
    mediaType: asString(o.mediaType),
    digest: asString(o.digest),
    size: typeof o.size === "number" ? o.size : 0,
  };
  if (typeof o.from === "string" && o.from) layer.from = o.from;
  if (typeof o.name === "string" && o.name) layer.name = o.name;
  return layer;
}

/** Missing fields read as zero values, as with Go's decoder. */
function normaliseManifest(v: unknown, file: string): Manifest {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new CorruptManifestError(file, "manifest is not a JSON object");
  }
  const o = v as Record<string, unknown>;
  if (o.layers !== undefined && o.layers !== null && !Array.isArray(o.layers)) {
    throw new CorruptManifestError(file, "manifest layers is not an array");
  }
  return {
    schemaVersion: typeof o.schemaVersion === "number" ? o.schemaVersion : 0,
    mediaType: asString(o.mediaType),
    config: normaliseLayer(o.config),
    layers: ((o.layers as unknown[] | null | undefined) ?? []).map(normaliseLayer),
  };
}

export interface ParsedManifest {
  manifest: Manifest;
  /** Hex sha256 without prefix, as Ollama reports it in /api/tags and /api/show. */
  digest: string;
}

export function parseManifestBytes(bytes: Uint8Array, file = "manifest"): ParsedManifest {
  const text = Buffer.from(bytes).toString("utf8");
  const end = endOfFirstJsonValue(text);
  if (end < 0) throw new CorruptManifestError(file, "unexpected end of JSON input");
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, end));
  } catch (err) {
    throw new CorruptManifestError(file, (err as Error).message);
  }
  const hashed = bytesOllamaHashes(bytes.length, Buffer.byteLength(text.slice(0, end)));
  const digest = createHash("sha256").update(bytes.subarray(0, hashed)).digest("hex");
  return { manifest: normaliseManifest(value, file), digest };
}

export interface ManifestFile extends ParsedManifest {
  path: string;
  bytes: Buffer;
  modifiedAt: Date;
  /** The mtime in nanoseconds, for RFC 3339 timestamps with Go's precision. */
  modifiedAtNs: bigint;
}

/** Reads a manifest file; ENOENT propagates so callers can map it to "not found". */
export async function readManifestFile(file: string): Promise<ManifestFile> {
  const bytes = await fs.readFile(file);
  const st = await fs.stat(file, { bigint: true });
  const parsed = parseManifestBytes(bytes, file);
  return {
    ...parsed,
    path: file,
    bytes,
    modifiedAt: new Date(Number(st.mtimeNs / 1_000_000n)),
    modifiedAtNs: st.mtimeNs,
  };
}

/** Writes manifest bytes atomically (temp file in the same folder, then rename). */
export async function writeManifestFile(file: string, bytes: Uint8Array | string): Promise<void> {
  await writeFileAtomic(file, bytes);
}

/** Sum of layer sizes plus the config blob's, as Ollama's Manifest.Size. */
export function manifestSize(m: Manifest): number {
  return m.layers.reduce((sum, l) => sum + l.size, m.config.size);
}

/** Every digest a manifest keeps alive (layers and config). */
export function manifestDigests(m: Manifest): string[] {
  return [...m.layers.map((l) => l.digest), m.config.digest].filter((d) => d !== "");
}

/** Parses a config blob; unknown keys are kept, missing ones read as absent. */
export function parseConfig(bytes: Uint8Array | string): ConfigV2 {
  const text = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8");
  const end = endOfFirstJsonValue(text);
  const value: unknown = JSON.parse(end < 0 ? text : text.slice(0, end));
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SyntaxError("config blob is not a JSON object");
  }
  const config: ConfigV2 = value;
  return config;
}
