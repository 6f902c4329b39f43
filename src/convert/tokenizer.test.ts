import { test } from "node:test";
import assert from "node:assert/strict";
import { readTokenizer } from "./tokenizer.js";
import type { SourceFiles } from "./source.js";

function files(contents: Record<string, unknown>): SourceFiles {
  return {
    read: (name) => {
      const c = contents[name];
      if (c === undefined) return Promise.resolve(undefined);
      return Promise.resolve(Buffer.isBuffer(c) ? c : Buffer.from(JSON.stringify(c)));
    },
  };
}

const llama3Split = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

const tokenizerJson = {
  added_tokens: [
    { id: 4, content: "<|begin|>", special: true },
    { id: 5, content: "<|end|>", special: true },
    { id: 6, content: "<|eot|>", special: true },
    { id: 7, content: "ÄŁmy_word", special: false },
  ],
  pre_tokenizer: {
    type: "Sequence",
    pretokenizers: [{ type: "Split", pattern: { Regex: llama3Split } }, { type: "ByteLevel" }],
  },
  model: {
    type: "BPE",
    vocab: { a: 0, b: 1, ab: 2, Ġa: 3 },
    merges: [
      ["a", "b"],
      ["Ġ", "a"],
    ],
  },
};

test("tokenizer.json: vocabulary in id order, added tokens typed, merges as pairs, llama-bpe", async () => {
  const t = await readTokenizer(
    files({
      "tokenizer.json": tokenizerJson,
      "tokenizer_config.json": {
        bos_token: "<|begin|>",
        eos_token: { content: "<|end|>", special: true },
        add_bos_token: true,
        chat_template: [
          { name: "tool_use", template: "tools" },
          { name: "default", template: "{{ messages }}" },
        ],
      },
      "generation_config.json": { bos_token_id: 4, eos_token_id: [5, 6] },
    }),
  );
  assert.equal(t.vocab.model, "gpt2");
  assert.deepEqual(t.vocab.tokens, ["a", "b", "ab", "Ġa", "<|begin|>", "<|end|>", "<|eot|>", "ÄŁmy_word"]);
  assert.deepEqual(t.vocab.scores, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(t.vocab.types, [1, 1, 1, 1, 3, 3, 3, 4]);
  assert.deepEqual(t.merges, ["a b", "Ġ a"]);
  assert.equal(t.pre, "llama-bpe");
  assert.equal(t.template, "{{ messages }}");
  assert.deepEqual(t.specials, [
    { kind: "bos", id: 4, add: true, ids: undefined },
    { kind: "eos", id: 5, add: false, ids: [5, 6] },
  ]);
});

test("an unknown pre-tokenizer is llama.cpp's default; special tokens not among the added ones are left out", async () => {
  const t = await readTokenizer(
    files({
      "tokenizer.json": {
        ...tokenizerJson,
        pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: "\\s+" } }] },
        model: { ...tokenizerJson.model, merges: ["a b"] },
      },
      "tokenizer_config.json": { eos_token: "</s>", chat_template: "{{ x }}" },
    }),
  );
  assert.equal(t.pre, "default");
  assert.deepEqual(t.merges, ["a b"]);
  assert.equal(t.template, "{{ x }}");
  assert.deepEqual(t.specials, []);
});

test("tokenizer.model is preferred to tokenizer.json; neither is an error", async () => {
  // one piece, "x", score 0
  const spm = Buffer.from([0x0a, 0x08, 0x0a, 0x01, 0x78, 0x15, 0, 0, 0, 0]);
  const t = await readTokenizer(files({ "tokenizer.model": spm, "tokenizer.json": tokenizerJson }));
  assert.equal(t.vocab.model, "llama");
  assert.deepEqual(t.vocab.tokens, ["x"]);
  await assert.rejects(readTokenizer(files({})), /unknown tokenizer format/);
  const unigram = { model: { type: "Unigram", vocab: [["<unk>", 0]] } };
  await assert.rejects(
    readTokenizer(files({ "tokenizer.json": unigram })),
    /unsupported tokenizer.json model type "Unigram"/,
  );
  await assert.rejects(readTokenizer(files({ "tokenizer.json": Buffer.from("{") })), /tokenizer\.json/);
});
