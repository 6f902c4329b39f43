import assert from "node:assert/strict";
import { test } from "node:test";
import { modelInfo } from "./show.js";
import { GgufValueType, type GgufFile } from "../gguf/index.js";

const file = (metadata: GgufFile["metadata"]): GgufFile => ({
  version: 3,
  metadata,
  metadataTypes: {},
  tensors: [
    { name: "a", shape: [4, 2], type: 0, offset: 0, elements: 8, size: 32 },
    { name: "b", shape: [3], type: 0, offset: 32, elements: 3, size: 12 },
  ],
  alignment: 32,
  dataOffset: 0,
  fileSize: 0,
});

test("modelInfo sorts keys, patches the parameter count and drops name and chat template", () => {
  const info = modelInfo(
    file({
      "general.name": "x",
      "tokenizer.chat_template": "{{ x }}",
      "llama.context_length": 4096,
      "general.architecture": "llama",
      "general.parameter_count": 1,
      "tokenizer.ggml.tokens": {
        kind: "array",
        elementType: GgufValueType.STRING,
        length: 9,
        values: undefined,
      },
      "tokenizer.ggml.scores": { kind: "array", elementType: GgufValueType.FLOAT32, length: 0, values: [] },
      big: 2n ** 60n,
    }),
  );
  assert.deepEqual(Object.keys(info), [
    "big",
    "general.architecture",
    "general.parameter_count",
    "llama.context_length",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.tokens",
  ]);
  assert.equal(info["general.parameter_count"], 11);
  assert.equal(info["tokenizer.ggml.tokens"], null);
  assert.deepEqual(info["tokenizer.ggml.scores"], []);
  assert.equal(info.big, 2 ** 60);
});
