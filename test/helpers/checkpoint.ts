/**
 * Hugging Face checkpoints for the safetensors import tests, made from a generated F16 GGUF: its
 * tensors renamed back to Hugging Face's names and layouts in a safetensors file, its metadata as
 * config.json, and its tokenizer as tokenizer.json and tokenizer_config.json. Converting the folder
 * back must give the GGUF's tensors unchanged.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readSafetensors } from "../../src/convert/index.js";
import { Prng } from "../../src/gguf/prng.js";
import {
  GgmlType,
  f16ToF32,
  f32ToF16,
  isGgufArray,
  readGguf,
  readTensorData,
  type GgufFile,
  type GgufTensorInfo,
} from "../../src/gguf/index.js";

const hfArchitectures: Record<string, string> = {
  llama: "LlamaForCausalLM",
  qwen2: "Qwen2ForCausalLM",
  qwen3: "Qwen3ForCausalLM",
};

const blockNames: Record<string, string> = {
  attn_norm: "input_layernorm",
  attn_q: "self_attn.q_proj",
  attn_k: "self_attn.k_proj",
  attn_v: "self_attn.v_proj",
  attn_output: "self_attn.o_proj",
  attn_q_norm: "self_attn.q_norm",
  attn_k_norm: "self_attn.k_norm",
  ffn_norm: "post_attention_layernorm",
  ffn_gate: "mlp.gate_proj",
  ffn_up: "mlp.up_proj",
  ffn_down: "mlp.down_proj",
};

function hfName(gguf: string): string {
  const top: Record<string, string> = {
    token_embd: "model.embed_tokens",
    output_norm: "model.norm",
    output: "lm_head",
  };
  const [stem, suffix] = [gguf.slice(0, gguf.lastIndexOf(".")), gguf.slice(gguf.lastIndexOf("."))];
  const block = /^blk\.(\d+)\.(.+)$/.exec(stem);
  if (block) return `model.layers.${block[1]}.${blockNames[block[2] as string] as string}${suffix}`;
  return (top[stem] as string) + suffix;
}

export interface CheckpointOptions {
  /** Extra files to write (name to contents), e.g. a tokenizer.model. */
  extra?: Record<string, Buffer | string>;
  /** Split the tensors over two safetensors files (model-0000N-of-00002). Default false. */
  split?: boolean;
}

/** Writes the checkpoint of `ggufPath` (an F16 model) into `dir`; returns its files' names. */
export async function writeCheckpoint(
  ggufPath: string,
  dir: string,
  opts: CheckpointOptions = {},
): Promise<string[]> {
  const file = await readGguf(ggufPath);
  const meta = (k: string) => file.metadata[k];
  const arch = meta("general.architecture") as string;
  const num = (k: string) => Number(meta(`${arch}.${k}`));
  await mkdir(dir, { recursive: true });
  const heads = num("attention.head_count");
  const kvHeads = num("attention.head_count_kv");

  const entries: Array<{ name: string; dtype: string; shape: number[]; data: Buffer }> = [];
  for (const t of file.tensors) {
    let data = await readTensorData(ggufPath, file, t);
    const shape = [...t.shape].reverse();
    if (arch === "llama" && /attn_[qk]\.weight$/.test(t.name))
      data = unpermuteRows(data, shape, t.name.includes("attn_q") ? heads : kvHeads);
    entries.push({ name: hfName(t.name), dtype: dtypeOf(t), shape, data });
  }
  const names: string[] = [];
  const parts = opts.split
    ? [entries.filter((_, i) => i % 2 === 0), entries.filter((_, i) => i % 2 === 1)]
    : [entries];
  for (const [i, part] of parts.entries()) {
    const name = opts.split ? `model-0000${i + 1}-of-00002.safetensors` : "model.safetensors";
    await writeFile(join(dir, name), safetensors(part));
    names.push(name);
  }

  const embedding = num("embedding_length");
  const config: Record<string, unknown> = {
    architectures: [hfArchitectures[arch]],
    hidden_size: embedding,
    intermediate_size: num("feed_forward_length"),
    num_hidden_layers: num("block_count"),
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    max_position_embeddings: num("context_length"),
    rope_theta: num("rope.freq_base"),
    rms_norm_eps: num("attention.layer_norm_rms_epsilon"),
    vocab_size: (meta("tokenizer.ggml.tokens") as { length: number }).length,
    tie_word_embeddings: !file.tensors.some((t) => t.name === "output.weight"),
    torch_dtype: "float16",
  };
  if (arch === "qwen3") config.head_dim = embedding / heads;
  const text: Record<string, Buffer | string> = {
    "config.json": JSON.stringify(config, null, 2),
    ...tokenizerFiles(file),
    ...opts.extra,
  };
  for (const [name, contents] of Object.entries(text)) {
    await writeFile(join(dir, name), contents);
    names.push(name);
  }
  return names;
}

function dtypeOf(t: GgufTensorInfo): string {
  if (t.type === GgmlType.F16) return "F16";
  if (t.type === GgmlType.F32) return "F32";
  throw new Error(`checkpoints are written from F16 models; ${t.name} is type ${t.type}`);
}

/** Hugging Face's row order for q or k from llama.cpp's: the inverse of the converter's regrouping. */
function unpermuteRows(data: Buffer, shape: number[], heads: number): Buffer {
  const rows = shape[0] as number;
  const rowBytes = data.length / rows;
  const half = rows / heads / 2;
  const out = Buffer.alloc(data.length);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const gguf = h * 2 * half + i * 2 + j;
        const hf = h * 2 * half + j * half + i;
        data.copy(out, hf * rowBytes, gguf * rowBytes, (gguf + 1) * rowBytes);
      }
  return out;
}

/** A safetensors file holding `entries` (in order), with its header padded to 8 bytes. */
export function safetensors(
  entries: Array<{ name: string; dtype: string; shape: number[]; data: Buffer }>,
): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.data.length] };
    offset += e.data.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), ...entries.map((e) => e.data)]);
}

const qwen2Split = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** tokenizer.json and tokenizer_config.json for the GGUF's byte-level BPE tokenizer. */
function tokenizerFiles(file: GgufFile): Record<string, string> {
  const list = (k: string) => {
    const v = file.metadata[k];
    return isGgufArray(v) ? (v.values ?? []) : [];
  };
  const tokens = list("tokenizer.ggml.tokens") as string[];
  const types = list("tokenizer.ggml.token_type") as number[];
  const vocab: Record<string, number> = {};
  const added: Array<{ id: number; content: string; special: boolean }> = [];
  for (const [id, content] of tokens.entries()) {
    if (types[id] === 3 || types[id] === 4) added.push({ id, content, special: types[id] === 3 });
    else vocab[content] = id;
  }
  const tokenAt = (key: string) => tokens[Number(file.metadata[`tokenizer.ggml.${key}_token_id`])];
  const tokenizerJson = {
    version: "1.0",
    added_tokens: added,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: qwen2Split }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    model: { type: "BPE", vocab, merges: list("tokenizer.ggml.merges") },
  };
  const tokenizerConfig = {
    add_bos_token: file.metadata["tokenizer.ggml.add_bos_token"] === true,
    bos_token: tokenAt("bos"),
    eos_token: tokenAt("eos"),
    pad_token: tokenAt("padding"),
    chat_template: file.metadata["tokenizer.chat_template"],
  };
  return {
    "tokenizer.json": JSON.stringify(tokenizerJson),
    "tokenizer_config.json": JSON.stringify(tokenizerConfig, null, 2),
  };
}

/** `n` values spread evenly over [-width/2, width/2). */
function uniform(rng: Prng, n: number, width: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.next() - 0.5) * width;
  return out;
}

export type SyntheticKind = "gemma" | "gemma2" | "gemma3" | "gemma3-vision" | "phi3";

const syntheticArchitectures: Record<SyntheticKind, string> = {
  gemma: "GemmaForCausalLM",
  gemma2: "Gemma2ForCausalLM",
  gemma3: "Gemma3ForCausalLM",
  "gemma3-vision": "Gemma3ForConditionalGeneration",
  phi3: "Phi3ForCausalLM",
};

/**
 * A small checkpoint of an architecture the GGUF generator does not make, with random F16 matrices
 * and norms of 0.5 (Gemma stores norms as offsets from one, so its converted norms are 1.5),
 * borrowing the tokenizer of `tokenizerGguf`. Phi-3's is a long-context one, with rope factors;
 * "gemma3-vision" is Gemma 3 as its multimodal checkpoints save it (language model under
 * model.language_model, a vision tower beside it, settings in text_config).
 */
export async function writeSyntheticCheckpoint(
  dir: string,
  kind: SyntheticKind,
  tokenizerGguf: string,
): Promise<string[]> {
  const file = await readGguf(tokenizerGguf);
  const vocab = (file.metadata["tokenizer.ggml.tokens"] as { length: number }).length;
  const [d, ffn, heads, layers] = [64, 128, 4, 2];
  const [kvHeads, headDim] = kind === "phi3" ? [4, 16] : [2, 32];
  const entries: Array<{ name: string; dtype: string; shape: number[]; data: Buffer }> = [];
  const rng = new Prng(1);
  const random = (n: number) => {
    const data = Buffer.alloc(n * 2);
    for (const [i, v] of uniform(rng, n, 0.04).entries()) data.writeUInt16LE(f32ToF16(v), i * 2);
    return data;
  };
  const matrix = (name: string, rows: number, cols: number) =>
    entries.push({ name, dtype: "F16", shape: [rows, cols], data: random(rows * cols) });
  const norm = (name: string, n: number) => {
    const data = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) data.writeFloatLE(0.5, i * 4);
    entries.push({ name, dtype: "F32", shape: [n], data });
  };
  const vision = kind === "gemma3-vision";
  const gemma3 = kind === "gemma3" || vision;
  const gemma2Like = kind === "gemma2" || gemma3;
  matrix("model.embed_tokens.weight", vocab, d);
  for (let i = 0; i < layers; i++) {
    const b = `model.layers.${i}`;
    norm(`${b}.input_layernorm.weight`, d);
    if (kind === "phi3") matrix(`${b}.self_attn.qkv_proj.weight`, (heads + 2 * kvHeads) * headDim, d);
    else {
      matrix(`${b}.self_attn.q_proj.weight`, heads * headDim, d);
      matrix(`${b}.self_attn.k_proj.weight`, kvHeads * headDim, d);
      matrix(`${b}.self_attn.v_proj.weight`, kvHeads * headDim, d);
    }
    matrix(`${b}.self_attn.o_proj.weight`, d, heads * headDim);
    if (gemma3) {
      norm(`${b}.self_attn.q_norm.weight`, headDim);
      norm(`${b}.self_attn.k_norm.weight`, headDim);
    }
    norm(`${b}.post_attention_layernorm.weight`, d);
    if (gemma2Like) {
      norm(`${b}.pre_feedforward_layernorm.weight`, d);
      norm(`${b}.post_feedforward_layernorm.weight`, d);
    }
    if (kind === "phi3") matrix(`${b}.mlp.gate_up_proj.weight`, 2 * ffn, d);
    else {
      matrix(`${b}.mlp.gate_proj.weight`, ffn, d);
      matrix(`${b}.mlp.up_proj.weight`, ffn, d);
    }
    matrix(`${b}.mlp.down_proj.weight`, d, ffn);
  }
  norm("model.norm.weight", d);
  if (kind === "phi3") matrix("lm_head.weight", vocab, d);
  if (vision) {
    for (const e of entries) e.name = e.name.replace(/^model\./, "model.language_model.");
    matrix("model.vision_tower.vision_model.embeddings.patch_embedding.weight", 16, 48);
    matrix("model.multi_modal_projector.mm_input_projection_weight", 16, d);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "model.safetensors"), safetensors(entries));
  const factors = (f: number) => Array.from({ length: headDim / 2 }, (_, i) => 1 + (f * i) / headDim);
  const config = {
    architectures: [syntheticArchitectures[kind]],
    hidden_size: d,
    intermediate_size: ffn,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    max_position_embeddings: kind === "phi3" ? 131072 : 4096,
    rms_norm_eps: 1e-6,
    rope_theta: gemma3 ? 1e6 : 10000,
    vocab_size: vocab,
    ...(kind === "phi3"
      ? {
          original_max_position_embeddings: 4096,
          sliding_window: 262144,
          rope_scaling: { type: "longrope", long_factor: factors(4), short_factor: factors(1) },
        }
      : { head_dim: headDim }),
    ...(kind === "gemma2"
      ? { sliding_window: 4096, attn_logit_softcapping: 50, final_logit_softcapping: 30 }
      : {}),
    ...(kind === "gemma3"
      ? { sliding_window: 512, rope_local_base_freq: 10000, sliding_window_pattern: 6 }
      : {}),
  };
  const nested = {
    architectures: config.architectures,
    text_config: { ...config, architectures: undefined, rope_theta: undefined },
    vision_config: { hidden_size: 16, num_hidden_layers: 1 },
  };
  const text = { "config.json": JSON.stringify(vision ? nested : config), ...tokenizerFiles(file) };
  for (const [name, contents] of Object.entries(text)) await writeFile(join(dir, name), contents);
  return ["model.safetensors", ...Object.keys(text)];
}

/** A small sentence-transformers BERT checkpoint (mean pooling, normalised) with a WordPiece vocabulary. */
export async function writeBertCheckpoint(dir: string): Promise<string[]> {
  const specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
  const words = ["hello", "world", "the", "a", "##s", "##ing", "token", "embed", "model", "!", ","];
  const letters = [..."abcdefghijklmnopqrstuvwxyz"].flatMap((c) => [c, `##${c}`]);
  const vocab = [...specials, ...words, ...letters];
  const [d, ffn, layers, positions] = [32, 64, 2, 128];
  const entries: Array<{ name: string; dtype: string; shape: number[]; data: Buffer }> = [];
  const rng = new Prng(3);
  const add = (name: string, shape: number[], fixed?: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = fixed === undefined ? uniform(rng, n, 0.2) : new Float32Array(n).fill(fixed);
    entries.push({ name, dtype: "F32", shape, data: Buffer.from(values.buffer) });
  };
  const dense = (name: string, out: number, inp: number) => {
    add(`${name}.weight`, [out, inp]);
    add(`${name}.bias`, [out]);
  };
  const layerNorm = (name: string) => {
    add(`${name}.weight`, [d], 1);
    add(`${name}.bias`, [d], 0);
  };
  add("embeddings.word_embeddings.weight", [vocab.length, d]);
  add("embeddings.position_embeddings.weight", [positions, d]);
  add("embeddings.token_type_embeddings.weight", [2, d]);
  layerNorm("embeddings.LayerNorm");
  for (let i = 0; i < layers; i++) {
    const b = `encoder.layer.${i}`;
    dense(`${b}.attention.self.query`, d, d);
    dense(`${b}.attention.self.key`, d, d);
    dense(`${b}.attention.self.value`, d, d);
    dense(`${b}.attention.output.dense`, d, d);
    layerNorm(`${b}.attention.output.LayerNorm`);
    dense(`${b}.intermediate.dense`, ffn, d);
    dense(`${b}.output.dense`, d, ffn);
    layerNorm(`${b}.output.LayerNorm`);
  }
  dense("pooler.dense", d, d);
  // what transformers saves as a buffer: int64 positions, which the converter leaves out
  const ids = Buffer.alloc(positions * 8);
  entries.push({ name: "embeddings.position_ids", dtype: "I64", shape: [1, positions], data: ids });

  await mkdir(join(dir, "1_Pooling"), { recursive: true });
  await writeFile(join(dir, "model.safetensors"), safetensors(entries));
  const text: Record<string, unknown> = {
    "config.json": {
      architectures: ["BertModel"],
      hidden_size: d,
      intermediate_size: ffn,
      num_hidden_layers: layers,
      num_attention_heads: 4,
      max_position_embeddings: positions,
      layer_norm_eps: 1e-12,
      type_vocab_size: 2,
      vocab_size: vocab.length,
    },
    "tokenizer.json": {
      added_tokens: specials.map((content, id) => ({ id, content, special: true })),
      normalizer: { type: "BertNormalizer", lowercase: true },
      pre_tokenizer: { type: "BertPreTokenizer" },
      model: {
        type: "WordPiece",
        unk_token: "[UNK]",
        vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
      },
    },
    "tokenizer_config.json": {
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    },
    "modules.json": [
      { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
      { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
      { idx: 2, name: "2", path: "2_Normalize", type: "sentence_transformers.models.Normalize" },
    ],
    "1_Pooling/config.json": { word_embedding_dimension: d, pooling_mode_mean_tokens: true },
  };
  for (const [name, contents] of Object.entries(text))
    await writeFile(join(dir, name), JSON.stringify(contents));
  return ["model.safetensors", ...Object.keys(text)];
}

/**
 * A PEFT LoRA in `dir` for the F16 llama checkpoint in `baseDir`: random A and B on every attention
 * projection. Returns its files and, for each adapted weight, the weight with the LoRA merged in
 * (Hugging Face layout, float32).
 */
export async function writeLora(baseDir: string, dir: string, rank: number, alpha: number) {
  const base = await readSafetensors(join(baseDir, "model.safetensors"));
  const data = await readFile(join(baseDir, "model.safetensors"));
  const rng = new Prng(11);
  const random = (n: number) => uniform(rng, n, 0.2);
  const adapter: Array<{ name: string; dtype: string; shape: number[]; data: Buffer }> = [];
  const merged = new Map<string, Float32Array>();
  for (const t of base.filter((x) => /self_attn\.[qkvo]_proj\.weight$/.test(x.name))) {
    const [rows = 0, cols = 0] = t.shape;
    const [a, b] = [random(rank * cols), random(rows * rank)];
    const stem = t.name.replace(/\.weight$/, "");
    adapter.push({
      name: `base_model.model.${stem}.lora_A.weight`,
      dtype: "F32",
      shape: [rank, cols],
      data: Buffer.from(a.buffer),
    });
    adapter.push({
      name: `base_model.model.${stem}.lora_B.weight`,
      dtype: "F32",
      shape: [rows, rank],
      data: Buffer.from(b.buffer),
    });
    // W + (alpha / rank) B·A, in Hugging Face's own layout
    const w = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        let sum = 0;
        for (let k = 0; k < rank; k++) sum += (b[r * rank + k] as number) * (a[k * cols + c] as number);
        w[r * cols + c] = f16ToF32(data.readUInt16LE(t.offset + 2 * (r * cols + c))) + (alpha / rank) * sum;
      }
    merged.set(t.name, w);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "adapter_model.safetensors"), safetensors(adapter));
  await writeFile(
    join(dir, "adapter_config.json"),
    JSON.stringify({ r: rank, lora_alpha: alpha, peft_type: "LORA" }),
  );
  return { files: ["adapter_model.safetensors", "adapter_config.json"], merged };
}
