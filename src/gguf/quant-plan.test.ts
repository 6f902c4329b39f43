import { test } from "node:test";
import assert from "node:assert/strict";
import type { GgufFile, GgufTensorInfo } from "./reader.js";
import { planQuantization, quantizable, quantizeOrder, type QuantFileType } from "./quant-plan.js";
import { GgmlType, ggmlTypeName } from "./types.js";

const info = (name: string, shape: number[], type: number = GgmlType.F16) =>
  ({ name, shape, type, offset: 0, elements: 0, size: 0 }) as GgufTensorInfo;

test("quantizable: the tensors llama-quantize quantizes", () => {
  assert.equal(quantizable(info("blk.0.attn_q.weight", [64, 64])), true);
  assert.equal(quantizable(info("token_embd.weight", [64, 1000])), true);
  assert.equal(quantizable(info("output.weight", [64, 1000])), true);
  assert.equal(quantizable(info("blk.0.attn_norm.weight", [64])), false);
  assert.equal(quantizable(info("blk.0.attn_q.bias", [64])), false);
  assert.equal(quantizable(info("blk.0.ffn_gate_inp.weight", [64, 8])), false);
  assert.equal(quantizable(info("position_embd.weight", [64, 512])), false);
  assert.equal(quantizable(info("blk.0.ssm_conv1d.weight", [4, 64])), false);
  assert.equal(quantizable(info("blk.0.attn_q.weight", [64, 1, 1])), false);
});

test("quantizeOrder: outside the blocks first, then block by block in number order, by name within", () => {
  const names = [
    "blk.10.a.weight",
    "token_embd.weight",
    "blk.2.b.weight",
    "blk.2.a.weight",
    "output_norm.weight",
  ];
  assert.deepEqual(
    quantizeOrder(names.map((n) => info(n, [32, 32]))).map((t) => t.name),
    ["output_norm.weight", "token_embd.weight", "blk.2.a.weight", "blk.2.b.weight", "blk.10.a.weight"],
  );
});

/** A llama-style file (tied embeddings) with the shapes of a real model. */
function model(layers: number, dim: number, ffn: number, kvDim: number, vocab: number): GgufFile {
  const tensors = [info("token_embd.weight", [dim, vocab]), info("output_norm.weight", [dim], GgmlType.F32)];
  for (let i = 0; i < layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      info(`${b}attn_norm.weight`, [dim], GgmlType.F32),
      info(`${b}attn_q.weight`, [dim, dim]),
      info(`${b}attn_k.weight`, [dim, kvDim]),
      info(`${b}attn_v.weight`, [dim, kvDim]),
      info(`${b}attn_output.weight`, [dim, dim]),
      info(`${b}ffn_norm.weight`, [dim], GgmlType.F32),
      info(`${b}ffn_gate.weight`, [dim, ffn]),
      info(`${b}ffn_up.weight`, [dim, ffn]),
      info(`${b}ffn_down.weight`, [ffn, dim]),
    );
  }
  const metadata = { "general.architecture": "llama", "llama.block_count": layers };
  return { metadata, tensors } as unknown as GgufFile;
}

/** Per tensor name (block prefix dropped), the blocks that got each type. */
function layersByType(file: GgufFile, fileType: QuantFileType, suffix: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { tensor, type } of planQuantization(file, fileType)) {
    const m = /^blk\.(\d+)\.(.*)$/.exec(tensor.name);
    if ((m?.[2] ?? tensor.name) !== suffix) continue;
    (out[ggmlTypeName(type)] ??= []).push(m ? Number(m[1]) : -1);
  }
  return out;
}

// What llama-quantize (llama.cpp de3ff81) chose for F16 models of these shapes.
const smollm = model(30, 576, 1536, 192, 49152);
const qwen = model(24, 896, 4864, 128, 151936);
const even = [3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19];

test("Q4_K_M as llama-quantize mixes it (SmolLM2-135M shape): Q6_K where more bits help, fallbacks for 576-wide rows", () => {
  const more = [0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 27, 28, 29];
  const less = [...even, 21, 22, 24, 25];
  assert.deepEqual(layersByType(smollm, "Q4_K_M", "ffn_down.weight"), { Q6_K: more, Q4_K: less });
  // Q6_K on rows that are not whole super-blocks falls back to Q8_0, Q4_K to Q5_0
  assert.deepEqual(layersByType(smollm, "Q4_K_M", "attn_v.weight"), { Q8_0: more, Q5_0: less });
  assert.deepEqual(layersByType(smollm, "Q4_K_M", "token_embd.weight"), { Q8_0: [-1] });
  assert.deepEqual(layersByType(smollm, "Q4_K_M", "attn_norm.weight"), { F32: [...Array(30).keys()] });
});

test("Q4_K_M and Q4_K_S (Qwen2.5-0.5B shape)", () => {
  const more = [0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23];
  assert.deepEqual(layersByType(qwen, "Q4_K_M", "ffn_down.weight"), { Q6_K: more, Q4_K: even });
  assert.deepEqual(layersByType(qwen, "Q4_K_M", "attn_q.weight"), { Q5_0: [...Array(24).keys()] });
  const rest = [...Array(24).keys()];
  assert.deepEqual(layersByType(qwen, "Q4_K_S", "ffn_down.weight"), { Q5_K: [0, 1, 2], Q4_K: rest.slice(3) });
  assert.deepEqual(layersByType(qwen, "Q4_K_S", "attn_v.weight"), {
    Q5_1: [0, 1, 2, 3],
    Q5_0: rest.slice(4),
  });
});

test("untied output gets Q6_K and the token embeddings the plain type; Q8_0 and F16 are uniform", () => {
  const file = model(8, 256, 512, 128, 1000);
  file.tensors.push(info("output.weight", [256, 1000]));
  assert.deepEqual(layersByType(file, "Q4_K_M", "output.weight"), { Q6_K: [-1] });
  assert.deepEqual(layersByType(file, "Q4_K_M", "token_embd.weight"), { Q4_K: [-1] });
  assert.deepEqual(layersByType(file, "Q8_0", "ffn_down.weight"), { Q8_0: [...Array(8).keys()] });
  assert.deepEqual(layersByType(file, "F16", "output.weight"), { F16: [-1] });
  assert.deepEqual(layersByType(file, "F16", "ffn_norm.weight"), { F32: [...Array(8).keys()] });
});

test("rows that are not whole 32-value blocks stay F16; BF16, F16 and F32 need no whole blocks", () => {
  const file = model(2, 40, 64, 40, 100);
  assert.deepEqual(layersByType(file, "Q4_K_M", "attn_q.weight"), { F16: [0, 1] });
  assert.deepEqual(layersByType(file, "Q8_0", "attn_q.weight"), { F16: [0, 1] });
  assert.deepEqual(layersByType(file, "BF16", "attn_q.weight"), { BF16: [0, 1] });
  assert.deepEqual(layersByType(file, "F32", "attn_q.weight"), { F32: [0, 1] });
});
