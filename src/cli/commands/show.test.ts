import { test } from "node:test";
import assert from "node:assert/strict";
import { metadataValue, showInfo } from "./show.js";

void test("default show output has Ollama's sections", () => {
  const out = showInfo(
    {
      details: { family: "llama", parameter_size: "3.2B", quantization_level: "Q4_K_M" },
      model_info: {
        "general.architecture": "llama",
        "llama.context_length": 131072,
        "llama.embedding_length": 3072,
      },
      capabilities: ["completion", "tools"],
      parameters: 'stop                           "<|eot_id|>"\ntemperature                    0.7',
      license:
        "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\n\nLlama 3.2 Version Release Date: September 25, 2024\nmore\n",
      system: "Be brief.",
    },
    false,
  );
  assert.equal(
    out,
    [
      "  Model",
      "    architecture        llama     ",
      "    parameters          3.2B      ",
      "    context length      131072    ",
      "    embedding length    3072      ",
      "    quantization        Q4_K_M    ",
      "",
      "  Capabilities",
      "    completion    ",
      "    tools         ",
      "",
      "  Parameters",
      '    stop           "<|eot_id|>"    ',
      "    temperature    0.7             ",
      "",
      "  System",
      "    Be brief.    ",
      "",
      "  License",
      "    LLAMA 3.2 COMMUNITY LICENSE AGREEMENT                 ",
      "    Llama 3.2 Version Release Date: September 25, 2024    ",
      "    ...                                                   ",
      "",
      "",
    ].join("\n"),
  );
});

void test("show without model_info falls back to details", () => {
  const out = showInfo(
    { details: { family: "qwen2", parameter_size: "494M", quantization_level: "Q8_0" } },
    false,
  );
  assert.ok(out.startsWith("  Model\n    architecture    qwen2    \n    parameters      494M     \n"));
});

void test("metadata values", () => {
  assert.equal(metadataValue("x"), "x");
  assert.equal(metadataValue(true), "true");
  assert.equal(metadataValue(1e6), "1e+06");
  assert.equal(metadataValue([1, 2, 3]), "[1 2 3]");
  assert.equal(metadataValue(["<unk>", "<s>", "</s>", "a"]), "[<unk> ...+3 more]");
});
