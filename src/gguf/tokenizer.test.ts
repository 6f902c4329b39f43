import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SHARED_MODELS_DIR } from "./model.js";
import {
  BUILTIN_SPECIALS,
  builtinTokenizer,
  resizeTokenizer,
  tokenCount,
  tokenizerFromGguf,
  type TokenizerMetadata,
} from "./tokenizer.js";
import { isGgufArray, type GgufValue } from "./types.js";

function values(tok: TokenizerMetadata, key: string): GgufValue[] {
  const v = tok[key]?.value;
  assert.ok(isGgufArray(v) && v.values, key);
  return v.values;
}

function assertConsistent(tok: TokenizerMetadata): void {
  const tokens = values(tok, "tokenizer.ggml.tokens").map(String);
  assert.equal(new Set(tokens).size, tokens.length, "tokens are unique");
  assert.equal(values(tok, "tokenizer.ggml.token_type").length, tokens.length);
  const set = new Set(tokens);
  for (const m of values(tok, "tokenizer.ggml.merges").map(String)) {
    const [a, b, ...rest] = m.split(" ");
    assert.equal(rest.length, 0, m);
    assert.ok(a && b && set.has(a) && set.has(b) && set.has(a + b), `merge ${m} builds a known token`);
  }
}

test("the built-in tokenizer has exactly the asked size and a consistent merge list", () => {
  for (const size of [259, 1024, 49152]) {
    const tok = builtinTokenizer(size);
    assert.equal(tokenCount(tok), size);
    assertConsistent(tok);
  }
  const tok = builtinTokenizer(1024);
  const tokens = values(tok, "tokenizer.ggml.tokens");
  assert.deepEqual(tokens.slice(256, 259), [...BUILTIN_SPECIALS]);
  assert.deepEqual(values(tok, "tokenizer.ggml.token_type").slice(255, 260), [1, 3, 3, 3, 1]);
  assert.equal(tokens[32], "Ġ"); // GPT-2's byte map: space is Ġ
  assert.equal(tokens[10], "Ċ");
  assert.equal(tok["tokenizer.ggml.eos_token_id"]?.value, 258);
  assert.equal(tok["tokenizer.ggml.bos_token_id"]?.value, 256);
  assert.match(tok["tokenizer.chat_template"]?.value as string, /<\|im_start\|>/);
  assert.throws(() => builtinTokenizer(100));
});

test("resizing pads with [PADn] user-defined tokens", () => {
  const tok = resizeTokenizer(builtinTokenizer(300), 305);
  assert.equal(tokenCount(tok), 305);
  assert.deepEqual(values(tok, "tokenizer.ggml.tokens").slice(-2), ["[PAD303]", "[PAD304]"]);
  assert.deepEqual(values(tok, "tokenizer.ggml.token_type").slice(-2), [4, 4]);
  assertConsistent(tok);
});

const gpt2 = join(SHARED_MODELS_DIR, "ggml-vocab-gpt-2.gguf");
test(
  "copying a vocab GGUF takes every tokenizer key; truncating keeps merges consistent",
  { skip: !existsSync(gpt2) && `${SHARED_MODELS_DIR} is absent` },
  async () => {
    const tok = await tokenizerFromGguf(gpt2);
    assert.equal(tokenCount(tok), 50257);
    assert.deepEqual(Object.keys(tok).sort(), [
      "tokenizer.ggml.bos_token_id",
      "tokenizer.ggml.eos_token_id",
      "tokenizer.ggml.merges",
      "tokenizer.ggml.model",
      "tokenizer.ggml.pre",
      "tokenizer.ggml.token_type",
      "tokenizer.ggml.tokens",
    ]);
    const small = resizeTokenizer(tok, 1000);
    assert.equal(tokenCount(small), 1000);
    assertConsistent(small);
    assert.ok(values(small, "tokenizer.ggml.merges").length > 500);
    assert.equal(small["tokenizer.ggml.eos_token_id"], undefined, "eos 50256 fell outside");
  },
);
