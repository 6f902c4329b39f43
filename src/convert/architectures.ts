/**
 * The Hugging Face architectures tollama converts, as Ollama's converter does: each names its GGUF
 * architecture, maps config.json to `<arch>.*` metadata and checkpoint tensor names to llama.cpp's.
 */
import { typed, type GgufTypedValue } from "../gguf/index.js";
import { bert } from "./bert.js";
import type { Tokenizer } from "./tokenizer.js";
import type { SourceFiles } from "./source.js";

/** config.json's fields that the converters read (others are ignored). */
export interface HfConfig {
  architectures?: string[];
  vocab_size?: number;
  num_hidden_layers?: number;
  max_position_embeddings?: number;
  hidden_size?: number;
  intermediate_size?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  head_dim?: number;
  rope_theta?: number;
  rms_norm_eps?: number;
  layer_norm_eps?: number;
  /** A multimodal model's language model settings (Gemma 3 from 4B up). */
  text_config?: HfConfig;
  sliding_window?: number | null;
  attn_logit_softcapping?: number | null;
  final_logit_softcapping?: number | null;
  rope_local_base_freq?: number;
  original_max_position_embeddings?: number;
  rope_scaling?: {
    type?: string;
    long_factor?: number[];
    short_factor?: number[];
    rope_type?: string;
    factor?: number;
    low_freq_factor?: number;
    high_freq_factor?: number;
    original_max_position_embeddings?: number;
  } | null;
}

export interface Architecture {
  /** general.architecture */
  name: string;
  /** `<arch>.*` keys (and any fixed `tokenizer.*` ones) for this config; `vocabSize` is the converted vocabulary's. */
  metadata(config: HfConfig, vocabSize: number): Record<string, GgufTypedValue>;
  /** Block-level tensor names, Hugging Face's then llama.cpp's. */
  blockParts: ReadonlyArray<readonly [string, string]>;
  /** The settings to convert with, where config.json nests them (a multimodal model's text_config). */
  settings?(config: HfConfig): HfConfig;
  /** llama.cpp's name for a checkpoint tensor, null to leave it out; default: the Llama-like names. */
  tensorName?(hfName: string): string | null;
  /** Metadata read from files besides config.json (a sentence-transformers pooling module). */
  prepare?(files: SourceFiles): Promise<Record<string, GgufTypedValue>>;
  /** Rewrites the vocabulary as llama.cpp's tokenizer for this architecture wants it. */
  adjustTokenizer?(t: Tokenizer): void;
  /** True for tensors stored as offsets from one (Gemma's RMS norm weights), which llama.cpp wants whole. */
  addsOne?(ggufName: string): boolean;
  /**
   * Heads to regroup a tensor's rows for (llama's q and k: Hugging Face interleaves each head's
   * rotary halves differently from llama.cpp); undefined for the rest.
   */
  repackHeads?(ggufName: string, config: HfConfig): number | undefined;
}

const { u32, f32, str } = typed;

/** Keys every architecture writes; those whose config value is missing or zero are left out. */
function common(arch: string, c: HfConfig, vocabSize: number): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {};
  const put = (key: string, v: GgufTypedValue | undefined) => {
    if (v && v.value !== 0) out[`${arch}.${key}`] = v;
  };
  const heads = c.num_attention_heads ?? 0;
  put("vocab_size", u32(vocabSize));
  put("block_count", u32(c.num_hidden_layers ?? 0));
  put("context_length", u32(c.max_position_embeddings ?? 0));
  put("embedding_length", u32(c.hidden_size ?? 0));
  put("feed_forward_length", u32(c.intermediate_size ?? 0));
  put("attention.head_count", u32(heads));
  put("attention.head_count_kv", u32(c.num_key_value_heads ?? 0));
  put("rope.freq_base", f32(c.rope_theta ?? 0));
  put("attention.layer_norm_rms_epsilon", f32(c.rms_norm_eps ?? 0));
  if (c.head_dim) {
    put("attention.key_length", u32(c.head_dim));
    put("attention.value_length", u32(c.head_dim));
  }
  return out;
}

/** Block-level parts of Llama-like models, Hugging Face's name then llama.cpp's. */
const llamaParts: ReadonlyArray<[string, string]> = [
  ["input_layernorm", "attn_norm"],
  ["self_attn.q_proj", "attn_q"],
  ["self_attn.k_proj", "attn_k"],
  ["self_attn.v_proj", "attn_v"],
  ["self_attn.o_proj", "attn_output"],
  ["self_attn.q_norm", "attn_q_norm"],
  ["self_attn.k_norm", "attn_k_norm"],
  ["post_attention_layernorm", "ffn_norm"],
  ["mlp.gate_proj", "ffn_gate"],
  ["mlp.up_proj", "ffn_up"],
  ["mlp.down_proj", "ffn_down"],
];

/**
 * Gemma 2 and 3 normalise each sublayer's input and output: their post_attention_layernorm is the
 * attention output's norm, and pre_feedforward_layernorm the MLP's input norm (llama's ffn_norm).
 */
const gemma2Parts: ReadonlyArray<readonly [string, string]> = [
  ...llamaParts.filter(([hf]) => hf !== "post_attention_layernorm"),
  ["post_attention_layernorm", "post_attention_norm"],
  ["pre_feedforward_layernorm", "ffn_norm"],
  ["post_feedforward_layernorm", "post_ffw_norm"],
];

const llama: Architecture = {
  name: "llama",
  blockParts: llamaParts,
  metadata(c, vocabSize) {
    const out = common("llama", c, vocabSize);
    const heads = c.num_attention_heads ?? 0;
    const headDim = c.head_dim ?? (heads > 0 ? Math.floor((c.hidden_size ?? 0) / heads) : 0);
    if (headDim > 0) out["llama.rope.dimension_count"] = u32(headDim);
    const scaling = c.rope_scaling;
    if (scaling?.type === "linear" && scaling.factor) {
      out["llama.rope.scaling.type"] = str("linear");
      out["llama.rope.scaling.factor"] = f32(scaling.factor);
    }
    return out;
  },
  repackHeads(name, c) {
    if (name.endsWith("attn_q.weight")) return c.num_attention_heads;
    if (name.endsWith("attn_k.weight")) return c.num_key_value_heads || c.num_attention_heads;
    return undefined;
  },
};

function qwen(name: "qwen2" | "qwen3"): Architecture {
  return {
    name,
    blockParts: llamaParts,
    metadata(c, vocabSize) {
      const out = common(name, c, vocabSize);
      const scaling = c.rope_scaling;
      if (scaling?.type === "yarn" && scaling.factor) {
        out[`${name}.rope.scaling.type`] = str("yarn");
        out[`${name}.rope.scaling.factor`] = f32(scaling.factor);
        if (scaling.original_max_position_embeddings)
          out[`${name}.rope.scaling.original_context_length`] = u32(scaling.original_max_position_embeddings);
      }
      return out;
    },
  };
}

/** Gemma's tokenizer ids for end of turn and fill-in-the-middle, which Ollama writes for Gemma 1 and 2. */
const gemmaTokenIds: Record<string, GgufTypedValue> = {
  "tokenizer.ggml.eot_token_id": u32(107),
  "tokenizer.ggml.middle_token_id": u32(68),
  "tokenizer.ggml.prefix_token_id": u32(67),
  "tokenizer.ggml.suffix_token_id": u32(69),
};

const isNorm = (name: string) => name.endsWith("_norm.weight");

const gemma: Architecture = {
  name: "gemma",
  blockParts: llamaParts,
  addsOne: isNorm,
  metadata: (c, vocabSize) => ({ ...common("gemma", c, vocabSize), ...gemmaTokenIds }),
};

const gemma2: Architecture = {
  name: "gemma2",
  blockParts: gemma2Parts,
  addsOne: isNorm,
  metadata(c, vocabSize) {
    const out = { ...common("gemma2", c, vocabSize), ...gemmaTokenIds };
    if (c.sliding_window) out["gemma2.attention.sliding_window"] = u32(c.sliding_window);
    if (c.attn_logit_softcapping) out["gemma2.attn_logit_softcapping"] = f32(c.attn_logit_softcapping);
    if (c.final_logit_softcapping) out["gemma2.final_logit_softcapping"] = f32(c.final_logit_softcapping);
    return out;
  },
};

/** Gemma 3's text model: Gemma 2's layout with q/k norms, local and global rope bases. */
const gemma3: Architecture = {
  name: "gemma3",
  blockParts: gemma2Parts,
  addsOne: isNorm,
  metadata(c, vocabSize) {
    const out = common("gemma3", { rope_theta: 1e6, ...c }, vocabSize);
    if (c.sliding_window) out["gemma3.attention.sliding_window"] = u32(c.sliding_window);
    if (c.final_logit_softcapping) out["gemma3.final_logit_softcapping"] = f32(c.final_logit_softcapping);
    out["gemma3.rope.local.freq_base"] = f32(c.rope_local_base_freq || 10000);
    const scaling = c.rope_scaling;
    if ((scaling?.rope_type ?? scaling?.type) === "linear" && scaling?.factor) {
      out["gemma3.rope.scaling.type"] = str("linear");
      out["gemma3.rope.scaling.factor"] = f32(scaling.factor);
    }
    return out;
  },
};

/**
 * Gemma 3 from 4B up (Gemma3ForConditionalGeneration): its language model only, as a gemma3 text
 * model; the vision tower and projector are left out, so the result reads text, not images.
 * text_config leaves out what Gemma3TextConfig defaults; head counts follow the layer count as
 * in Ollama's converter.
 */
const gemma3Multimodal: Architecture = {
  ...gemma3,
  settings(c) {
    const text = c.text_config ?? {};
    const layers = text.num_hidden_layers ?? 26;
    const [heads, kvHeads] = ({ 48: [16, 8], 62: [32, 16] } as Record<number, [number, number]>)[layers] ?? [
      8, 4,
    ];
    return {
      vocab_size: 262208,
      hidden_size: 2304,
      intermediate_size: 9216,
      num_attention_heads: heads,
      num_key_value_heads: kvHeads,
      head_dim: 256,
      max_position_embeddings: 131072,
      rms_norm_eps: 1e-6,
      rope_theta: 1e6,
      rope_local_base_freq: 10000,
      sliding_window: 4096,
      ...text,
      num_hidden_layers: layers,
    };
  },
  tensorName(hf) {
    if (/^(model\.)?(vision_tower|multi_modal_projector)\./.test(hf)) return null;
    // "language_model.model.layers..." (older transformers) or "model.language_model.layers..."
    const text = hf.replace(/^(language_model\.model|model\.language_model)\./, "model.");
    return ggufTensorName(text.replace(/^language_model\./, ""), gemma3);
  },
};

/** Phi-3's fused projections: q, k and v in one matrix, and the MLP's gate and up in another. */
const phi3Parts: ReadonlyArray<readonly [string, string]> = [
  ["input_layernorm", "attn_norm"],
  ["self_attn.qkv_proj", "attn_qkv"],
  ["self_attn.o_proj", "attn_output"],
  ["post_attention_layernorm", "ffn_norm"],
  ["mlp.gate_up_proj", "ffn_up"],
  ["mlp.down_proj", "ffn_down"],
];

const phi3: Architecture = {
  name: "phi3",
  blockParts: phi3Parts,
  metadata(c, vocabSize) {
    const out = common("phi3", c, vocabSize);
    const heads = c.num_attention_heads ?? 0;
    if (heads > 0) out["phi3.rope.dimension_count"] = u32(Math.floor((c.hidden_size ?? 0) / heads));
    if (c.sliding_window) out["phi3.attention.sliding_window"] = u32(c.sliding_window);
    const original = c.original_max_position_embeddings ?? 0;
    if (original > 0) out["phi3.rope.scaling.original_context_length"] = u32(original);
    // Long-context variants scale attention by how far they stretch their original context.
    const scale = (c.max_position_embeddings ?? 0) / original;
    const type = c.rope_scaling?.type;
    if (original > 0 && (type === "su" || type === "longrope"))
      out["phi3.rope.scaling.attn_factor"] = f32(
        Math.max(Math.sqrt(1 + Math.log(scale) / Math.log(original)), 1),
      );
    else if (original > 0 && type === "yarn")
      out["phi3.rope.scaling.attn_factor"] = f32(Math.max(0.1 * Math.log(scale) + 1, 1));
    return out;
  },
};

/** Tensors an architecture adds from config.json: rope frequency factors, llama.cpp's names first. */
export function ropeFactorTensors(arch: Architecture, c: HfConfig): Array<[string, Float32Array]> {
  if (arch.name === "llama") {
    const factors = llama3RopeFactors(c);
    return factors ? [["rope_freqs.weight", factors]] : [];
  }
  if (arch.name === "phi3") {
    const { long_factor: long, short_factor: short } = c.rope_scaling ?? {};
    if (!long?.length || !short?.length) return [];
    return [
      ["rope_factors_long.weight", Float32Array.from(long)],
      ["rope_factors_short.weight", Float32Array.from(short)],
    ];
  }
  return [];
}

/**
 * By config.json's `architectures[0]`. Ollama converts LlamaForCausalLM, Qwen2ForCausalLM, the
 * Gemma text models, Phi3ForCausalLM and BertModel this way; Mistral (a llama) and Qwen3 (qwen2 with per-head q/k norms and no
 * biases) convert the same.
 */
const byHfName: Record<string, Architecture> = {
  LlamaForCausalLM: llama,
  MistralForCausalLM: llama,
  Qwen2ForCausalLM: qwen("qwen2"),
  Qwen3ForCausalLM: qwen("qwen3"),
  GemmaForCausalLM: gemma,
  Gemma2ForCausalLM: gemma2,
  Gemma3ForCausalLM: gemma3,
  Gemma3ForConditionalGeneration: gemma3Multimodal,
  Phi3ForCausalLM: phi3,
  BertModel: bert,
};

/** The converter whose GGUF architecture is `name` (an adapter's base model's). */
export function architectureNamed(name: string): Architecture | undefined {
  return Object.values(byHfName).find((a) => a.name === name && !a.settings);
}

export function architectureFor(config: HfConfig): Architecture {
  const hf = config.architectures?.[0];
  if (hf === undefined) throw new Error("unknown architecture");
  const arch = byHfName[hf];
  if (!arch) throw new Error(`unsupported architecture "${hf}"`);
  return arch;
}

const topLevel: Record<string, string> = {
  "model.embed_tokens": "token_embd",
  "model.norm": "output_norm",
  lm_head: "output",
};

/**
 * llama.cpp's name for a checkpoint tensor; null for one it does not use (rotary inverse
 * frequencies, which llama.cpp computes itself). Throws for a tensor it would not know.
 */
export function ggufTensorName(hfName: string, arch: Architecture = llama): string | null {
  if (arch.tensorName) return arch.tensorName(hfName);
  if (hfName.endsWith(".rotary_emb.inv_freq")) return null;
  const dot = hfName.lastIndexOf(".");
  const [stem, suffix] = [hfName.slice(0, dot), hfName.slice(dot)];
  const top = topLevel[stem];
  if (top) return top + suffix;
  const block = /^model\.layers\.(\d+)\.(.+)$/.exec(stem);
  const part = block && arch.blockParts.find(([hf]) => hf === block[2]);
  if (block && part) return `blk.${block[1]}.${part[1]}${suffix}`;
  throw new Error(`unsupported tensor "${hfName}"`);
}

/**
 * Llama 3's rope_freqs.weight: per-frequency scaling factors for its long-context rope
 * ("llama3" rope_scaling), one per pair of head dimensions; undefined for other models.
 */
export function llama3RopeFactors(c: HfConfig): Float32Array | undefined {
  const s = c.rope_scaling;
  const heads = c.num_attention_heads ?? 0;
  const theta = c.rope_theta ?? 0;
  if (s?.rope_type !== "llama3" || !c.hidden_size || !heads || !theta) return undefined;
  const dim = Math.floor(c.hidden_size / heads);
  if (dim === 0) return undefined;
  const factor = s.factor || 8;
  const low = s.low_freq_factor || 1;
  const high = s.high_freq_factor || 4;
  const original = s.original_max_position_embeddings || 8192;
  const [lowWavelength, highWavelength] = [original / low, original / high];
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim; i += 2) {
    const wavelength = 2 * Math.PI * Math.pow(theta, i / dim);
    let f: number;
    if (wavelength < highWavelength) f = 1;
    else if (wavelength > lowWavelength) f = factor;
    else {
      const smooth = (original / wavelength - low) / (high - low);
      f = 1 / ((1 - smooth) / factor + smooth);
    }
    out[i / 2] = f;
  }
  return out;
}
