import { test } from "node:test";
import assert from "node:assert/strict";
import { architectureFor, ggufTensorName, llama3RopeFactors, ropeFactorTensors } from "./architectures.js";
import { headRowOrder } from "./tensors.js";

test("checkpoint tensor names map to llama.cpp's", () => {
  assert.equal(ggufTensorName("model.embed_tokens.weight"), "token_embd.weight");
  assert.equal(ggufTensorName("lm_head.weight"), "output.weight");
  assert.equal(ggufTensorName("model.norm.weight"), "output_norm.weight");
  assert.equal(ggufTensorName("model.layers.11.self_attn.q_proj.bias"), "blk.11.attn_q.bias");
  assert.equal(ggufTensorName("model.layers.0.self_attn.k_norm.weight"), "blk.0.attn_k_norm.weight");
  assert.equal(ggufTensorName("model.layers.3.post_attention_layernorm.weight"), "blk.3.ffn_norm.weight");
  assert.equal(ggufTensorName("model.layers.3.mlp.down_proj.weight"), "blk.3.ffn_down.weight");
  assert.equal(ggufTensorName("model.layers.0.self_attn.rotary_emb.inv_freq"), null);
  assert.throws(() => ggufTensorName("model.layers.0.mlp.experts.0.w1.weight"), /unsupported tensor/);
});

test("Gemma 2 and 3 name their sublayer norms their own way", () => {
  const gemma3 = architectureFor({ architectures: ["Gemma3ForCausalLM"] });
  assert.equal(
    ggufTensorName("model.layers.1.post_attention_layernorm.weight", gemma3),
    "blk.1.post_attention_norm.weight",
  );
  assert.equal(
    ggufTensorName("model.layers.1.pre_feedforward_layernorm.weight", gemma3),
    "blk.1.ffn_norm.weight",
  );
  assert.equal(
    ggufTensorName("model.layers.1.post_feedforward_layernorm.weight", gemma3),
    "blk.1.post_ffw_norm.weight",
  );
  assert.equal(gemma3.addsOne?.("blk.1.attn_q_norm.weight"), true);
  assert.equal(gemma3.addsOne?.("blk.1.attn_q.weight"), false);
  const gemma = architectureFor({ architectures: ["GemmaForCausalLM"] });
  assert.equal(
    ggufTensorName("model.layers.1.post_attention_layernorm.weight", gemma),
    "blk.1.ffn_norm.weight",
  );
  assert.equal(gemma.metadata({}, 10)["tokenizer.ggml.eot_token_id"]?.value, 107);
  const m = gemma3.metadata({ sliding_window: 512, rope_scaling: { rope_type: "linear", factor: 8 } }, 10);
  assert.equal(m["gemma3.rope.freq_base"]?.value, 1e6);
  assert.equal(m["gemma3.rope.local.freq_base"]?.value, 10000);
  assert.equal(m["gemma3.attention.sliding_window"]?.value, 512);
  assert.equal(m["gemma3.rope.scaling.factor"]?.value, 8);
});

test("architectures by config.json, and Ollama's errors for the rest", () => {
  assert.equal(architectureFor({ architectures: ["LlamaForCausalLM"] }).name, "llama");
  assert.equal(architectureFor({ architectures: ["MistralForCausalLM"] }).name, "llama");
  assert.equal(architectureFor({ architectures: ["Qwen2ForCausalLM"] }).name, "qwen2");
  assert.equal(architectureFor({ architectures: ["Qwen3ForCausalLM"] }).name, "qwen3");
  assert.throws(
    () => architectureFor({ architectures: ["BloomForCausalLM"] }),
    /unsupported architecture "Bloom/,
  );
  assert.throws(() => architectureFor({}), /unknown architecture/);
});

test("llama metadata: rope dimensions from head_dim when given, linear rope scaling", () => {
  const llama = architectureFor({ architectures: ["LlamaForCausalLM"] });
  const m = llama.metadata(
    {
      hidden_size: 5120,
      num_attention_heads: 32,
      head_dim: 128,
      rope_scaling: { type: "linear", factor: 2 },
    },
    1000,
  );
  assert.equal(m["llama.rope.dimension_count"]?.value, 128);
  assert.equal(m["llama.attention.key_length"]?.value, 128);
  assert.equal(m["llama.rope.scaling.factor"]?.value, 2);
  assert.equal(m["llama.vocab_size"]?.value, 1000);
  assert.equal(m["llama.block_count"], undefined, "missing config values are left out");
});

test("q/k rows: each head's two rotary halves are interleaved", () => {
  // 2 heads of 4 rows: source [a0 a1 b0 b1] per head becomes [a0 b0 a1 b1]
  const order = headRowOrder(8, 2, "q");
  assert.deepEqual(
    Array.from({ length: 8 }, (_, r) => order(r)),
    [0, 2, 1, 3, 4, 6, 5, 7],
  );
  assert.throws(() => headRowOrder(6, 4, "q"), /do not split/);
});

test("Llama 3 rope factors: 1 for short wavelengths, the factor for long ones", () => {
  const f = llama3RopeFactors({
    hidden_size: 4096,
    num_attention_heads: 32,
    rope_theta: 500000,
    rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4 },
  });
  assert.ok(f);
  assert.equal(f.length, 64);
  assert.equal(f[0], 1);
  assert.equal(f[63], 8);
  assert.ok((f[40] as number) > 1 && (f[40] as number) <= 8);
  assert.equal(llama3RopeFactors({ hidden_size: 4096, num_attention_heads: 32, rope_theta: 1e4 }), undefined);
});

test("Phi-3: fused projections, and rope factor tensors only for long-context checkpoints", () => {
  const phi3 = architectureFor({ architectures: ["Phi3ForCausalLM"] });
  assert.equal(ggufTensorName("model.layers.2.self_attn.qkv_proj.weight", phi3), "blk.2.attn_qkv.weight");
  assert.equal(ggufTensorName("model.layers.2.mlp.gate_up_proj.weight", phi3), "blk.2.ffn_up.weight");
  assert.equal(
    ggufTensorName("model.layers.2.post_attention_layernorm.weight", phi3),
    "blk.2.ffn_norm.weight",
  );
  assert.deepEqual(ropeFactorTensors(phi3, { rope_scaling: null }), []);
  const long = { type: "longrope", long_factor: [1, 2], short_factor: [1, 1] };
  const tensors = ropeFactorTensors(phi3, { rope_scaling: long });
  assert.deepEqual(
    tensors.map(([name, values]) => [name, [...values]]),
    [
      ["rope_factors_long.weight", [1, 2]],
      ["rope_factors_short.weight", [1, 1]],
    ],
  );
  const m = phi3.metadata(
    {
      hidden_size: 3072,
      num_attention_heads: 32,
      max_position_embeddings: 131072,
      original_max_position_embeddings: 4096,
      rope_scaling: long,
    },
    10,
  );
  assert.equal(m["phi3.rope.dimension_count"]?.value, 96);
  assert.ok(
    Math.abs(
      (m["phi3.rope.scaling.attn_factor"]?.value as number) - Math.sqrt(1 + Math.log(32) / Math.log(4096)),
    ) < 1e-9,
  );
});

test("BERT: encoder names, unused tensors left out, WordPiece rewritten with phantom spaces", () => {
  const bert = architectureFor({ architectures: ["BertModel"] });
  assert.equal(ggufTensorName("embeddings.word_embeddings.weight", bert), "token_embd.weight");
  assert.equal(ggufTensorName("embeddings.LayerNorm.bias", bert), "token_embd_norm.bias");
  assert.equal(
    ggufTensorName("encoder.layer.4.attention.output.LayerNorm.weight", bert),
    "blk.4.attn_output_norm.weight",
  );
  assert.equal(ggufTensorName("encoder.layer.4.output.dense.bias", bert), "blk.4.ffn_down.bias");
  assert.equal(ggufTensorName("embeddings.position_ids", bert), null);
  assert.equal(ggufTensorName("pooler.dense.weight", bert), null);
  const t = {
    vocab: { model: "gpt2" as const, tokens: ["[CLS]", "walk", "##ing", "!"], scores: [], types: [] },
    merges: [],
    pre: "default",
    template: "",
    specials: [],
  };
  bert.adjustTokenizer?.(t);
  assert.equal(t.vocab.model, "bert");
  assert.deepEqual(t.vocab.tokens, ["[CLS]", "\u2581walk", "ing", "\u2581!"]);
});

test("multimodal Gemma 3: the language model under either prefix, vision left out, text_config defaults", () => {
  const arch = architectureFor({ architectures: ["Gemma3ForConditionalGeneration"] });
  assert.equal(arch.name, "gemma3");
  assert.equal(
    ggufTensorName("language_model.model.layers.0.self_attn.q_proj.weight", arch),
    "blk.0.attn_q.weight",
  );
  assert.equal(
    ggufTensorName("model.language_model.layers.0.mlp.up_proj.weight", arch),
    "blk.0.ffn_up.weight",
  );
  assert.equal(ggufTensorName("model.language_model.embed_tokens.weight", arch), "token_embd.weight");
  assert.equal(ggufTensorName("language_model.lm_head.weight", arch), "output.weight");
  assert.equal(ggufTensorName("vision_tower.vision_model.post_layernorm.weight", arch), null);
  assert.equal(ggufTensorName("model.multi_modal_projector.mm_soft_emb_norm.weight", arch), null);
  const settings = arch.settings?.({ text_config: { num_hidden_layers: 48, hidden_size: 3840 } });
  assert.equal(settings?.num_attention_heads, 16);
  assert.equal(settings?.num_key_value_heads, 8);
  assert.equal(settings?.hidden_size, 3840);
  assert.equal(settings?.head_dim, 256);
});
