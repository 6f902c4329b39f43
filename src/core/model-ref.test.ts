import { test } from "node:test";
import assert from "node:assert/strict";
import { parseModelRef } from "./model-ref.js";
import { OllamaError } from "./errors.js";

test("a model reference keeps its name and reads a source suffix as Ollama does", () => {
  assert.equal(parseModelRef(""), undefined);
  assert.equal(parseModelRef("  "), undefined);
  assert.deepEqual(parseModelRef(" qwen3:8b "), { base: "qwen3:8b", source: "unspecified" });
  assert.deepEqual(parseModelRef("qwen3:local"), { base: "qwen3", source: "local" });
  assert.deepEqual(parseModelRef("qwen3:LOCAL"), { base: "qwen3", source: "local" });
  assert.deepEqual(parseModelRef("gpt-oss:120b:cloud"), { base: "gpt-oss:120b", source: "cloud" });
  assert.deepEqual(parseModelRef("gpt-oss:120b-cloud"), { base: "gpt-oss:120b", source: "cloud" });
  // a port's colon is not a tag's
  assert.deepEqual(parseModelRef("localhost:5000/me/m-cloud"), {
    base: "localhost:5000/me/m-cloud",
    source: "unspecified",
  });
});

test("a reference with both suffixes is Ollama's 400", () => {
  assert.throws(
    () => parseModelRef("m:local:cloud"),
    (err: unknown) =>
      err instanceof OllamaError &&
      err.status === 400 &&
      err.message === 'use either :local or :cloud, not both: "m:local:cloud"',
  );
});
