/**
 * BERT sentence-embedding checkpoints (BertModel, as sentence-transformers saves them): encoder
 * tensors under their own names, a WordPiece vocabulary rewritten in llama.cpp's phantom-space
 * form, and the pooling that modules.json names.
 */
import { typed, type GgufTypedValue } from "../gguf/index.js";
import type { Architecture, HfConfig } from "./architectures.js";
import type { Tokenizer } from "./tokenizer.js";
import { readJsonFile, type SourceFiles } from "./source.js";

const { u32, f32, bool } = typed;

const embeddingNames: Record<string, string> = {
  "embeddings.word_embeddings": "token_embd",
  "embeddings.token_type_embeddings": "token_types",
  "embeddings.LayerNorm": "token_embd_norm",
  "embeddings.position_embeddings": "position_embd",
};

const layerParts: ReadonlyArray<readonly [string, string]> = [
  ["attention.self.query", "attn_q"],
  ["attention.self.key", "attn_k"],
  ["attention.self.value", "attn_v"],
  ["attention.output.dense", "attn_output"],
  ["attention.output.LayerNorm", "attn_output_norm"],
  ["intermediate.dense", "ffn_up"],
  ["output.dense", "ffn_down"],
  ["output.LayerNorm", "layer_output_norm"],
];

/** Tensors a BERT checkpoint carries that llama.cpp's encoder has no use for. */
const unused = new Set(["embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"]);

function tensorName(hf: string): string | null {
  if (unused.has(hf)) return null;
  const dot = hf.lastIndexOf(".");
  const [stem, suffix] = [hf.slice(0, dot), hf.slice(dot)];
  const embedding = embeddingNames[stem];
  if (embedding) return embedding + suffix;
  const layer = /^encoder\.layers?\.(\d+)\.(.+)$/.exec(stem);
  const part = layer && layerParts.find(([name]) => name === layer[2]);
  if (layer && part) return `blk.${layer[1]}.${part[1]}${suffix}`;
  throw new Error(`unsupported tensor "${hf}"`);
}

/** modules.json's pooling module (mean 1, CLS 2) and whether embeddings are normalised. */
async function pooling(files: SourceFiles): Promise<Record<string, GgufTypedValue>> {
  const list = await readJsonFile<Array<{ type?: string; path?: string }>>(files, "modules.json");
  let type = 0;
  const poolingPath = list.find((m) => m.type === "sentence_transformers.models.Pooling")?.path;
  if (poolingPath) {
    const modes = await readJsonFile<Record<string, unknown>>(files, `${poolingPath}/config.json`);
    if (modes.pooling_mode_mean_tokens === true) type = 1;
    else if (modes.pooling_mode_cls_token === true) type = 2;
  }
  const normalize = list.some((m) => m.type === "sentence_transformers.models.Normalize");
  return { "bert.pooling_type": u32(type), "bert.normalize_embeddings": bool(normalize) };
}

/**
 * llama.cpp's WordPiece tokenizer marks word starts rather than continuations: "##ing" becomes
 * "ing" and "walk" becomes "▁walk"; bracketed specials ([CLS]) stay as they are.
 */
function phantomSpaces(t: Tokenizer): void {
  t.vocab.model = "bert";
  t.vocab.tokens = t.vocab.tokens.map((token) => {
    if (token.startsWith("[") && token.endsWith("]")) return token;
    return token.startsWith("##") ? token.slice(2) : `\u2581${token}`;
  });
}

export const bert: Architecture = {
  name: "bert",
  blockParts: [],
  tensorName,
  prepare: pooling,
  adjustTokenizer: phantomSpaces,
  metadata(c: HfConfig) {
    const out: Record<string, GgufTypedValue> = { "bert.attention.causal": bool(false) };
    const put = (key: string, v: number | undefined, make = u32) => {
      if (v) out[`bert.${key}`] = make(v);
    };
    put("block_count", c.num_hidden_layers);
    put("context_length", c.max_position_embeddings);
    put("embedding_length", c.hidden_size);
    put("feed_forward_length", c.intermediate_size);
    put("attention.head_count", c.num_attention_heads);
    put("attention.layer_norm_epsilon", c.layer_norm_eps, f32);
    out["tokenizer.ggml.token_type_count"] = u32(2);
    return out;
  },
};
