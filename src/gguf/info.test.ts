import { test } from "node:test";
import assert from "node:assert/strict";
import {
  architecture,
  contextLength,
  hasChatTemplate,
  hasVision,
  humanNumber,
  isEmbeddingModel,
  legacyEmbeddingIsRaw,
  parameterCount,
  quantizationLevel,
  summarize,
} from "./info.js";
import { presetSpec, specParameterCount } from "./model.js";
import type { GgufFile, GgufTensorInfo } from "./reader.js";
import { fileTypeName, ggmlTypeName, GgufValueType, type GgufValue } from "./types.js";

function fakeFile(metadata: Record<string, GgufValue>, tensors: Partial<GgufTensorInfo>[] = []): GgufFile {
  return {
    version: 3,
    metadata,
    metadataTypes: Object.fromEntries(Object.keys(metadata).map((k) => [k, GgufValueType.STRING])),
    tensors: tensors.map((t) => ({ name: "t", shape: [1], type: 0, offset: 0, elements: 1, size: 4, ...t })),
    alignment: 32,
    dataOffset: 0,
    fileSize: 0,
  };
}

test("legacy /api/embeddings keeps raw vectors only where Ollama's runner does", () => {
  const file = (arch: string, extra: Record<string, GgufValue> = {}) =>
    fakeFile({ "general.architecture": arch, [`${arch}.pooling_type`]: 1, ...extra });
  assert.ok(!legacyEmbeddingIsRaw(fakeFile({ "general.architecture": "bert" })), "no pooling type");
  assert.ok(!legacyEmbeddingIsRaw(file("bert")));
  assert.ok(!legacyEmbeddingIsRaw(file("bert", { "bert.normalize_embeddings": true })));
  assert.ok(legacyEmbeddingIsRaw(file("bert", { "bert.normalize_embeddings": false })));
  assert.ok(legacyEmbeddingIsRaw(file("bert", { "tokenizer.ggml.model": "llama" })));
  assert.ok(legacyEmbeddingIsRaw(file("nomic-bert")));
  assert.ok(!legacyEmbeddingIsRaw(file("nomic-bert", { "nomic-bert.normalize_embeddings": true })));
  assert.ok(!legacyEmbeddingIsRaw(file("qwen3")));
  assert.ok(!legacyEmbeddingIsRaw(file("gemma3")));
});

test("humanNumber matches Ollama's format.HumanNumber", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [999, "999"],
    [1000, "1K"],
    [1001, "1K"],
    [1000000, "1M"],
    [125000000, "125M"],
    [500500000, "500.50M"],
    [500550000, "500.55M"],
    [1000000000, "1B"],
    [2800000000, "2.8B"],
    [2850000000, "2.9B"],
    [1000000000000, "1000B"],
    [494032768, "494.03M"],
    [7615616512, "7.6B"],
    [134515008, "134.52M"],
    [1125000, "1.12M"], // an exact tie: Go rounds half to even
    [1135000, "1.14M"],
  ];
  for (const [n, s] of cases) assert.equal(humanNumber(n), s, String(n));
});

test("file type and tensor type names follow Ollama's", () => {
  assert.equal(fileTypeName(0), "F32");
  assert.equal(fileTypeName(1), "F16");
  assert.equal(fileTypeName(2), "Q4_0");
  assert.equal(fileTypeName(7), "Q8_0");
  assert.equal(fileTypeName(15), "Q4_K_M");
  assert.equal(fileTypeName(32), "BF16");
  assert.equal(fileTypeName(4), "unknown");
  assert.equal(fileTypeName(999), "unknown");
  assert.equal(ggmlTypeName(8), "Q8_0");
  assert.equal(ggmlTypeName(12), "Q4_K");
  assert.equal(ggmlTypeName(31), "unknown");
  assert.equal(quantizationLevel(fakeFile({ "general.file_type": 15 })), "Q4_K_M");
  assert.equal(quantizationLevel(fakeFile({ "general.file_type": 0 })), "unknown");
  assert.equal(quantizationLevel(fakeFile({})), "unknown");
});

test("presets have their real models' parameter counts", () => {
  assert.equal(specParameterCount(presetSpec("qwen2.5-0.5b")), 494032768);
  assert.equal(humanNumber(specParameterCount(presetSpec("qwen2.5-0.5b"))), "494.03M");
  assert.equal(humanNumber(specParameterCount(presetSpec("smollm2-135m"))), "134.52M");
  assert.equal(specParameterCount(presetSpec("qwen2.5-1.5b")), 1543714304);
  // Qwen2.5-7B's own count less the 128 padding rows of its 152064-token vocabulary, in and out
  assert.equal(specParameterCount(presetSpec("qwen2.5-7b")), 7615616512 - 2 * 128 * 3584);
});

test("architecture-scoped keys and capabilities", () => {
  const chat = fakeFile(
    { "general.architecture": "qwen2", "qwen2.context_length": 32768, "tokenizer.chat_template": "{{x}}" },
    [{ elements: 10 }, { elements: 32 }],
  );
  assert.equal(architecture(chat), "qwen2");
  assert.equal(contextLength(chat), 32768);
  assert.equal(parameterCount(chat), 42);
  assert.ok(hasChatTemplate(chat));
  assert.ok(!isEmbeddingModel(chat));
  assert.ok(!hasVision(chat));
  assert.equal(architecture(fakeFile({})), "unknown");
  assert.ok(!hasChatTemplate(fakeFile({ "tokenizer.chat_template": "" })));

  assert.ok(isEmbeddingModel(fakeFile({ "general.architecture": "bert" })));
  assert.ok(isEmbeddingModel(fakeFile({ "general.architecture": "qwen3", "qwen3.pooling_type": 3 })));
  assert.ok(!isEmbeddingModel(fakeFile({ "general.architecture": "qwen3", "qwen3.pooling_type": 0 })));

  assert.ok(hasVision(fakeFile({ "general.architecture": "clip" })));
  assert.ok(hasVision(fakeFile({ "general.architecture": "gemma3", "gemma3.vision.block_count": 27 })));
  assert.ok(hasVision(fakeFile({ "general.architecture": "mllama" }, [{ name: "v.patch_embd.weight" }])));

  assert.deepEqual(summarize(chat), {
    architecture: "qwen2",
    parameterCount: 42,
    parameterSize: "42",
    quantizationLevel: "unknown",
    contextLength: 32768,
    embeddingLength: undefined,
    hasChatTemplate: true,
    isEmbedding: false,
    hasVision: false,
  });
});
