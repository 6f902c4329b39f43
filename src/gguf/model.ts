// Random-weight models with the tensor names, shapes and metadata llama.cpp expects for the
// llama, qwen2 and qwen3 architectures, so servers and benchmarks can run real-sized models offline.
// A pooling type makes an embedding model; classifier labels add a reranker's head (qwen3).

import { existsSync } from "node:fs";
import { Prng, hashString } from "./prng.js";
import {
  builtinTokenizer,
  resizeTokenizer,
  tokenCount,
  tokenizerFromGguf,
  type TokenizerMetadata,
} from "./tokenizer.js";
import { FileType, GgmlType, GgufValueType, typed, type GgufTypedValue } from "./types.js";
import { writeGguf, type TensorToWrite } from "./writer.js";
import type { WritableType } from "./quant.js";

import { sharedModelsDir } from "./paths.js";

export type ModelArch = "llama" | "qwen2" | "qwen3";
export type QuantName = "F32" | "F16" | "Q8_0" | "Q4_0";

export interface ModelSpec {
  arch: ModelArch;
  name: string;
  layers: number;
  embedding: number;
  ffn: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  contextLength: number;
  ropeTheta: number;
  rmsEps: number;
  /** Bias on q, k and v projections (qwen2 has them). */
  qkvBias: boolean;
  /** Output projection shares the token embedding (no output.weight tensor). */
  tiedEmbeddings: boolean;
  quant: QuantName;
  /**
   * The built-in BPE (sized to `vocab`), or a GGUF whose `tokenizer.*` keys are copied. A copied
   * tokenizer sets the vocabulary size itself unless `resize` asks to pad/truncate it to `vocab`.
   */
  tokenizer: { kind: "builtin" } | { kind: "gguf"; path: string; resize?: boolean };
  seed?: number;
  /** Standard deviation of the random weights (default 0.02). */
  weightStd?: number;
  /**
   * `<arch>.pooling_type` (llama.cpp's enum: 1 mean, 2 cls, 3 last, 4 rank). Any value above 0 makes
   * an embedding model; absent, the key is not written.
   */
  poolingType?: number;
  /**
   * A classifier head (`cls.output.weight`, one row per label, and `<arch>.classifier.output_labels`),
   * as converted Qwen3 rerankers carry; with pooling type 4 llama.cpp ranks with it. qwen3 only.
   */
  classifierLabels?: string[];
}

export const SHARED_MODELS_DIR = sharedModelsDir();

export const PRESETS = {
  "qwen2.5-0.5b": {
    arch: "qwen2",
    name: "Qwen2.5 0.5B (random weights)",
    layers: 24,
    embedding: 896,
    ffn: 4864,
    heads: 14,
    kvHeads: 2,
    vocab: 151936,
    contextLength: 32768,
    ropeTheta: 1e6,
    rmsEps: 1e-6,
    qkvBias: true,
    tiedEmbeddings: true,
    quant: "Q8_0",
    tokenizer: { kind: "gguf", path: `${SHARED_MODELS_DIR}/ggml-vocab-qwen2.gguf` },
  },
  "qwen2.5-1.5b": {
    arch: "qwen2",
    name: "Qwen2.5 1.5B (random weights)",
    layers: 28,
    embedding: 1536,
    ffn: 8960,
    heads: 12,
    kvHeads: 2,
    vocab: 151936,
    contextLength: 32768,
    ropeTheta: 1e6,
    rmsEps: 1e-6,
    qkvBias: true,
    tiedEmbeddings: true,
    quant: "Q8_0",
    tokenizer: { kind: "gguf", path: `${SHARED_MODELS_DIR}/ggml-vocab-qwen2.gguf` },
  },
  "qwen2.5-7b": {
    arch: "qwen2",
    name: "Qwen2.5 7B (random weights)",
    layers: 28,
    embedding: 3584,
    ffn: 18944,
    heads: 28,
    kvHeads: 4,
    vocab: 151936,
    contextLength: 32768,
    ropeTheta: 1e6,
    rmsEps: 1e-6,
    qkvBias: true,
    tiedEmbeddings: false,
    quant: "Q4_0",
    tokenizer: { kind: "gguf", path: `${SHARED_MODELS_DIR}/ggml-vocab-qwen2.gguf` },
  },
  "smollm2-135m": {
    arch: "llama",
    name: "SmolLM2 135M (random weights)",
    layers: 30,
    embedding: 576,
    ffn: 1536,
    heads: 9,
    kvHeads: 3,
    vocab: 49152,
    contextLength: 8192,
    ropeTheta: 100000,
    rmsEps: 1e-5,
    qkvBias: false,
    tiedEmbeddings: true,
    quant: "Q8_0",
    tokenizer: { kind: "builtin" },
  },
  tiny: {
    arch: "qwen2",
    name: "Tiny (random weights)",
    layers: 2,
    embedding: 64,
    ffn: 128,
    heads: 4,
    kvHeads: 2,
    vocab: 1024,
    contextLength: 4096,
    ropeTheta: 1e6,
    rmsEps: 1e-6,
    qkvBias: true,
    tiedEmbeddings: true,
    quant: "Q8_0",
    tokenizer: { kind: "builtin" },
  },
} as const satisfies Record<string, ModelSpec>;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(s: string): s is PresetName {
  return Object.hasOwn(PRESETS, s);
}

/**
 * A preset's spec with overrides. A preset whose vocab GGUF is missing (no ../shared) falls back
 * to the built-in tokenizer padded to the same vocabulary size, so shapes stay the same.
 */
export function presetSpec(name: PresetName, overrides: Partial<ModelSpec> = {}): ModelSpec {
  const spec: ModelSpec = { ...PRESETS[name], ...overrides };
  if (spec.tokenizer.kind === "gguf" && !existsSync(spec.tokenizer.path) && !overrides.tokenizer) {
    spec.tokenizer = { kind: "builtin" };
  }
  return spec;
}

const QUANT_TYPES: Record<QuantName, { tensor: WritableType; file: number }> = {
  F32: { tensor: GgmlType.F32, file: FileType.F32 },
  F16: { tensor: GgmlType.F16, file: FileType.F16 },
  Q8_0: { tensor: GgmlType.Q8_0, file: FileType.Q8_0 },
  Q4_0: { tensor: GgmlType.Q4_0, file: FileType.Q4_0 },
};

export function isQuantName(s: string): s is QuantName {
  return Object.hasOwn(QUANT_TYPES, s);
}

const { u32, f32, str } = typed;
const strs = (values: string[]): GgufTypedValue => typed.array(GgufValueType.STRING, values);

function validate(spec: ModelSpec): void {
  if (spec.embedding % spec.heads !== 0) throw new Error("embedding must be a multiple of heads");
  if (spec.heads % spec.kvHeads !== 0) throw new Error("heads must be a multiple of kvHeads");
  if (spec.quant !== "F32" && spec.quant !== "F16" && (spec.embedding % 32 !== 0 || spec.ffn % 32 !== 0)) {
    throw new Error("quantized models need embedding and ffn to be multiples of 32");
  }
  if (spec.classifierLabels && spec.arch !== "qwen3")
    throw new Error("classifier labels need the qwen3 arch");
  if (spec.classifierLabels?.length === 0) throw new Error("a classifier needs at least one label");
}

function modelMetadata(spec: ModelSpec, tokenizer: TokenizerMetadata): Record<string, GgufTypedValue> {
  const a = spec.arch;
  return {
    "general.architecture": str(a),
    "general.type": str("model"),
    "general.name": str(spec.name),
    "general.file_type": u32(QUANT_TYPES[spec.quant].file),
    "general.quantization_version": u32(2),
    [`${a}.block_count`]: u32(spec.layers),
    [`${a}.context_length`]: u32(spec.contextLength),
    [`${a}.embedding_length`]: u32(spec.embedding),
    [`${a}.feed_forward_length`]: u32(spec.ffn),
    [`${a}.attention.head_count`]: u32(spec.heads),
    [`${a}.attention.head_count_kv`]: u32(spec.kvHeads),
    [`${a}.rope.freq_base`]: f32(spec.ropeTheta),
    [`${a}.attention.layer_norm_rms_epsilon`]: f32(spec.rmsEps),
    ...(a === "llama"
      ? {
          "llama.rope.dimension_count": u32(spec.embedding / spec.heads),
          "llama.vocab_size": u32(spec.vocab),
        }
      : {}),
    ...(spec.poolingType !== undefined ? { [`${a}.pooling_type`]: u32(spec.poolingType) } : {}),
    ...(spec.classifierLabels ? { [`${a}.classifier.output_labels`]: strs(spec.classifierLabels) } : {}),
    ...tokenizer,
  };
}

export interface TensorPlan {
  name: string;
  shape: number[];
  /** "weight" matrices take the model's quant type; norms and biases stay F32 as in llama.cpp. */
  kind: "matrix" | "norm" | "bias";
}

/** Tensor names and ggml shapes ([row length, rows]) for the spec, in llama.cpp's naming. */
export function tensorPlan(spec: ModelSpec): TensorPlan[] {
  const d = spec.embedding;
  const kv = (d / spec.heads) * spec.kvHeads;
  const plan: TensorPlan[] = [{ name: "token_embd.weight", shape: [d, spec.vocab], kind: "matrix" }];
  for (let i = 0; i < spec.layers; i++) {
    const b = `blk.${i}`;
    plan.push({ name: `${b}.attn_norm.weight`, shape: [d], kind: "norm" });
    plan.push({ name: `${b}.attn_q.weight`, shape: [d, d], kind: "matrix" });
    plan.push({ name: `${b}.attn_k.weight`, shape: [d, kv], kind: "matrix" });
    plan.push({ name: `${b}.attn_v.weight`, shape: [d, kv], kind: "matrix" });
    if (spec.qkvBias) {
      plan.push({ name: `${b}.attn_q.bias`, shape: [d], kind: "bias" });
      plan.push({ name: `${b}.attn_k.bias`, shape: [kv], kind: "bias" });
      plan.push({ name: `${b}.attn_v.bias`, shape: [kv], kind: "bias" });
    }
    if (spec.arch === "qwen3") {
      plan.push({ name: `${b}.attn_q_norm.weight`, shape: [d / spec.heads], kind: "norm" });
      plan.push({ name: `${b}.attn_k_norm.weight`, shape: [d / spec.heads], kind: "norm" });
    }
    plan.push({ name: `${b}.attn_output.weight`, shape: [d, d], kind: "matrix" });
    plan.push({ name: `${b}.ffn_norm.weight`, shape: [d], kind: "norm" });
    plan.push({ name: `${b}.ffn_gate.weight`, shape: [d, spec.ffn], kind: "matrix" });
    plan.push({ name: `${b}.ffn_up.weight`, shape: [d, spec.ffn], kind: "matrix" });
    plan.push({ name: `${b}.ffn_down.weight`, shape: [spec.ffn, d], kind: "matrix" });
  }
  plan.push({ name: "output_norm.weight", shape: [d], kind: "norm" });
  if (!spec.tiedEmbeddings) plan.push({ name: "output.weight", shape: [d, spec.vocab], kind: "matrix" });
  if (spec.classifierLabels) {
    plan.push({ name: "cls.output.weight", shape: [d, spec.classifierLabels.length], kind: "matrix" });
  }
  return plan;
}

function tensorsToWrite(spec: ModelSpec): TensorToWrite[] {
  const seed = spec.seed ?? 42;
  const std = spec.weightStd ?? 0.02;
  return tensorPlan(spec).map((t) => {
    if (t.kind === "norm") return { ...t, type: GgmlType.F32, fill: (out: Float32Array) => out.fill(1) };
    // one PRNG per tensor, seeded by its name: the data is reproducible whatever the order
    const rng = new Prng(hashString(t.name, seed));
    const fill = (out: Float32Array): void => rng.fillUniform(out, std);
    return { ...t, type: t.kind === "bias" ? GgmlType.F32 : QUANT_TYPES[spec.quant].tensor, fill };
  });
}

async function loadTokenizer(spec: ModelSpec): Promise<TokenizerMetadata> {
  if (spec.tokenizer.kind === "builtin") return builtinTokenizer(spec.vocab);
  const tok = await tokenizerFromGguf(spec.tokenizer.path);
  return spec.tokenizer.resize ? resizeTokenizer(tok, spec.vocab) : tok;
}

/**
 * Writes a random-weight GGUF for `spec` to `outPath` (atomically). Returns the spec as written
 * (its `vocab` is the copied tokenizer's size where that decides).
 */
export async function writeRandomModel(outPath: string, spec: ModelSpec): Promise<ModelSpec> {
  const tokenizer = await loadTokenizer(spec);
  const written = { ...spec, vocab: tokenCount(tokenizer) };
  validate(written);
  await writeGguf(outPath, { metadata: modelMetadata(written, tokenizer), tensors: tensorsToWrite(written) });
  return written;
}

/** Parameter count of the spec (what the reader's parameterCount will report). */
export function specParameterCount(spec: ModelSpec): number {
  return tensorPlan(spec).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}
