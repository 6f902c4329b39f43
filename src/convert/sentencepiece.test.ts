import { test } from "node:test";
import assert from "node:assert/strict";
import { readSentencePiece } from "./sentencepiece.js";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

const field = (num: number, wire: number) => varint(num * 8 + wire);
const bytesField = (num: number, data: Buffer) =>
  Buffer.from([...field(num, 2), ...varint(data.length), ...data]);

function piece(text: string, score: number, type?: number): Buffer {
  const f = Buffer.alloc(4);
  f.writeFloatLE(score);
  const parts = [bytesField(1, Buffer.from(text)), Buffer.from([...field(2, 5), ...f])];
  if (type !== undefined) parts.push(Buffer.from([...field(3, 0), ...varint(type)]));
  return bytesField(1, Buffer.concat(parts));
}

/** A ModelProto: pieces, with a trainer spec (field 2) and a varint field between them to skip. */
const model = Buffer.concat([
  piece("<unk>", 0, 2),
  piece("<s>", 0, 3),
  Buffer.from([...field(7, 0), ...varint(300)]),
  piece("▁hello", -1.5),
  bytesField(2, Buffer.from([...field(3, 0), 2])),
  piece("<0x0A>", 0, 6),
  piece("<custom>", 0, 4),
]);

test("pieces become tokens, scores and types; user-defined pieces count as normal", () => {
  const v = readSentencePiece(model);
  assert.equal(v.model, "llama");
  assert.deepEqual(v.tokens, ["<unk>", "<s>", "▁hello", "<0x0A>", "<custom>"]);
  assert.deepEqual(v.scores, [0, 0, -1.5, 0, 0]);
  assert.deepEqual(v.types, [2, 3, 1, 6, 1]);
});

test("added_tokens.json appends user-defined tokens, which must follow the pieces' ids", () => {
  const v = readSentencePiece(model, { "<tool>": 6, "<extra>": 5 });
  assert.deepEqual(v.tokens.slice(5), ["<extra>", "<tool>"]);
  assert.deepEqual(v.scores.slice(5), [-1000, -1000]);
  assert.deepEqual(v.types.slice(5), [4, 4]);
  assert.throws(() => readSentencePiece(model, { "<gap>": 9 }), /invalid token id: 9/);
});

test("a truncated or foreign file is refused", () => {
  assert.throws(() => readSentencePiece(model.subarray(0, model.length - 3)), /tokenizer\.model/);
  assert.throws(() => readSentencePiece(Buffer.from([0x0f, 0x01])), /invalid tokenizer\.model/);
});
