// Facts about a model derived from its GGUF metadata and tensors, as Ollama reports them in
// /api/show and /api/tags (parameter size, quantization level, capabilities).

import type { GgufFile } from "./reader.js";
import { fileTypeName, isGgufArray, type GgufValue } from "./types.js";

function str(v: GgufValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function num(v: GgufValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return undefined;
}

/** `general.architecture`, or "unknown" like Ollama. */
export function architecture(f: GgufFile): string {
  return str(f.metadata["general.architecture"]) ?? "unknown";
}

/** An architecture-scoped key: archValue(f, "context_length") reads `qwen2.context_length`. */
export function archValue(f: GgufFile, key: string): GgufValue | undefined {
  return f.metadata[`${architecture(f)}.${key}`];
}

/**
 * Whether Ollama's legacy /api/embeddings answers this model's vector as its runner pools it, not
 * L2-normalised (llm/llama_server.go, legacyEmbeddingsWereRaw): only where its old runners did,
 * BERT with a tokenizer other than WordPiece or that asks not to normalise, and nomic-bert unless
 * it asks to.
 */
export function legacyEmbeddingIsRaw(f: GgufFile): boolean {
  if (archValue(f, "pooling_type") === undefined) return false;
  const normalize = archValue(f, "normalize_embeddings");
  switch (architecture(f)) {
    case "bert":
      return (str(f.metadata["tokenizer.ggml.model"]) ?? "bert") !== "bert" || normalize === false;
    case "nomic-bert":
    case "nomic-bert-moe":
      return normalize !== true;
    default:
      return false;
  }
}

export function contextLength(f: GgufFile): number | undefined {
  return num(archValue(f, "context_length"));
}

export function embeddingLength(f: GgufFile): number | undefined {
  return num(archValue(f, "embedding_length"));
}

/** Sum of tensor element counts (what Ollama stores as `general.parameter_count`). */
export function parameterCount(f: GgufFile): number {
  return f.tensors.reduce((n, t) => n + t.elements, 0);
}

/**
 * Go's %.Nf. toFixed already rounds on the exact binary value; the two differ only on exact
 * ties (1.125 → Go "1.12", toFixed "1.13"), where Go rounds half to even.
 */
function fixed(v: number, digits: number): string {
  const exact = v.toFixed(100);
  const dot = exact.indexOf(".");
  if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return v.toFixed(digits);
  const truncated = exact.slice(0, dot + 1 + digits).replace(/\.$/, "");
  const last = Number(truncated.at(-1));
  if (last % 2 === 0) return truncated;
  return v.toFixed(digits); // rounding up to the even neighbour is what toFixed does here
}

/** Ollama's format.HumanNumber: 494032768 → "494.03M", 7615616512 → "7.6B", 8000000000 → "8B". */
export function humanNumber(n: number): string {
  const steps: [number, string, number][] = [
    [1e9, "B", 1],
    [1e6, "M", 2],
  ];
  for (const [unit, suffix, digits] of steps) {
    if (n >= unit) {
      const v = n / unit;
      return v === Math.floor(v) ? `${v}${suffix}` : `${fixed(v, digits)}${suffix}`;
    }
  }
  if (n >= 1e3) return `${fixed(n / 1e3, 0)}K`;
  return String(Math.floor(n));
}

/** `general.file_type` as a number, if present. */
export function fileType(f: GgufFile): number | undefined {
  return num(f.metadata["general.file_type"]);
}

/**
 * Ollama's quantization level: the name of `general.file_type`. Like Ollama's KV.FileType(), a
 * missing or zero file type reads as "unknown" (Ollama cannot tell F32 from absent).
 */
export function quantizationLevel(f: GgufFile): string {
  const t = fileType(f);
  return t === undefined || t === 0 ? "unknown" : fileTypeName(t);
}

export function chatTemplate(f: GgufFile): string | undefined {
  return str(f.metadata["tokenizer.chat_template"]);
}

export function hasChatTemplate(f: GgufFile): boolean {
  return (chatTemplate(f) ?? "") !== "";
}

const EMBEDDING_ARCHES = new Set([
  "bert",
  "nomic-bert",
  "nomic-bert-moe",
  "jina-bert-v2",
  "neo-bert",
  "modern-bert",
]);

/**
 * Whether the model is an embedding model: an encoder architecture, or a pooling type set
 * (llama.cpp's LLAMA_POOLING_TYPE_NONE is 0; anything else pools into one vector).
 */
export function isEmbeddingModel(f: GgufFile): boolean {
  if (EMBEDDING_ARCHES.has(architecture(f))) return true;
  const pooling = num(archValue(f, "pooling_type"));
  return pooling !== undefined && pooling > 0;
}

/** A vision projector: a clip file itself, or vision keys/tensors merged into the model. */
export function hasVision(f: GgufFile): boolean {
  if (architecture(f) === "clip") return true;
  if (Object.keys(f.metadata).some((k) => k.startsWith("clip.") || k.includes(".vision."))) return true;
  return f.tensors.some((t) => t.name.startsWith("v.") || t.name.startsWith("mm."));
}

/** Number of tokens in the vocabulary, if the tokenizer is embedded. */
export function vocabSize(f: GgufFile): number | undefined {
  const tokens = f.metadata["tokenizer.ggml.tokens"];
  return isGgufArray(tokens) ? tokens.length : num(archValue(f, "vocab_size"));
}

export interface ModelSummary {
  architecture: string;
  parameterCount: number;
  parameterSize: string;
  quantizationLevel: string;
  contextLength: number | undefined;
  embeddingLength: number | undefined;
  hasChatTemplate: boolean;
  isEmbedding: boolean;
  hasVision: boolean;
}

export function summarize(f: GgufFile): ModelSummary {
  const params = parameterCount(f);
  return {
    architecture: architecture(f),
    parameterCount: params,
    parameterSize: humanNumber(params),
    quantizationLevel: quantizationLevel(f),
    contextLength: contextLength(f),
    embeddingLength: embeddingLength(f),
    hasChatTemplate: hasChatTemplate(f),
    isEmbedding: isEmbeddingModel(f),
    hasVision: hasVision(f),
  };
}
