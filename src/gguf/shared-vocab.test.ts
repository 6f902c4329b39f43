// Reads the llama.cpp vocab files and the tiny random llama model kept in ../shared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { architecture, hasChatTemplate, parameterCount, quantizationLevel, vocabSize } from "./info.js";
import { SHARED_MODELS_DIR } from "./model.js";
import { readGguf } from "./reader.js";
import { GgufValueType, isGgufArray } from "./types.js";

const skip = !existsSync(SHARED_MODELS_DIR) && `${SHARED_MODELS_DIR} is absent`;
const file = (name: string): string => join(SHARED_MODELS_DIR, name);

test("vocab GGUFs: tokenizer model, sizes and chat template", { skip }, async () => {
  const expected: [string, string, string, number][] = [
    ["ggml-vocab-qwen2.gguf", "qwen2", "gpt2", 151936],
    ["ggml-vocab-gpt-2.gguf", "gpt2", "gpt2", 50257],
    ["ggml-vocab-llama-bpe.gguf", "llama", "gpt2", 128256],
    ["ggml-vocab-llama-spm.gguf", "llama", "llama", 32000],
    ["ggml-vocab-bert-bge.gguf", "bert", "bert", 30522],
  ];
  for (const [name, arch, model, size] of expected) {
    const f = await readGguf(file(name));
    assert.equal(f.version, 3, name);
    assert.equal(architecture(f), arch, name);
    assert.equal(f.metadata["tokenizer.ggml.model"], model, name);
    assert.equal(vocabSize(f), size, name);
    assert.equal(f.tensors.length, 0, name);
  }
  const qwen = await readGguf(file("ggml-vocab-qwen2.gguf"));
  assert.ok(hasChatTemplate(qwen));
  const tokens = qwen.metadata["tokenizer.ggml.tokens"];
  assert.ok(isGgufArray(tokens) && tokens.values);
  assert.equal(tokens.values[151643], "<|endoftext|>");
  assert.equal(qwen.metadata["qwen2.rope.freq_base"], 1000000);
  assert.equal(qwen.metadata["qwen2.attention.layer_norm_rms_epsilon"], 0.000001);
  assert.equal(qwen.metadataTypes["tokenizer.ggml.token_type"], GgufValueType.ARRAY);
});

test("skipping long arrays keeps their length and everything after them", { skip }, async () => {
  const full = await readGguf(file("ggml-vocab-qwen2.gguf"));
  const light = await readGguf(file("ggml-vocab-qwen2.gguf"), { maxArrayLength: 0 });
  assert.deepEqual(light.metadata["tokenizer.ggml.merges"], {
    kind: "array",
    elementType: GgufValueType.STRING,
    length: 151387,
    values: undefined,
  });
  assert.equal(light.metadata["tokenizer.chat_template"], full.metadata["tokenizer.chat_template"]);
  assert.equal(light.dataOffset, full.dataOffset);
});

test("llama-2-tiny-random: tensor infos, parameter count, file type", { skip }, async () => {
  const f = await readGguf(file("llama-2-tiny-random.gguf"));
  assert.equal(f.tensors.length, 12);
  const embd = f.tensors.find((t) => t.name === "token_embd.weight");
  assert.deepEqual(embd?.shape, [8, 32000]);
  assert.equal(quantizationLevel(f), "F16");
  assert.equal(
    parameterCount(f),
    f.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
  );
  const last = f.tensors.reduce((a, b) => (a.offset > b.offset ? a : b));
  assert.ok(f.dataOffset + last.offset + (last.size ?? 0) <= f.fileSize, "tensor data lies within the file");
});
