import { test } from "node:test";
import assert from "node:assert/strict";
import { boundedNumPredict, fitPrompt } from "./complete.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const on = { truncate: true, shift: true, addsBos: false };

test("fitPrompt: a prompt that fits is kept whole (up to num_ctx - 1)", () => {
  assert.deepEqual(fitPrompt(range(31), 32, 4, on), range(31));
});

test("fitPrompt: keeps num_keep (+BOS) and frees half of the rest, as Ollama's runner", () => {
  // num_ctx 32, num_keep 4 + BOS = 5: limit 32 - floor(27 / 2) = 19 tokens.
  const cut = fitPrompt(range(100), 32, 4, { ...on, addsBos: true });
  assert.equal(cut.length, 19);
  assert.deepEqual(cut.slice(0, 5), range(5));
  assert.deepEqual(cut.slice(5), range(100).slice(-14));
  // No BOS: keep 4, limit 32 - 14 = 18.
  assert.equal(fitPrompt(range(100), 32, 4, on).length, 18);
  // A negative num_keep keeps as much as the context allows: limit 32 - 1.
  const all = fitPrompt(range(100), 32, -1, on);
  assert.equal(all.length, 31);
  assert.deepEqual(all, range(31));
});

test("fitPrompt: truncate:false and shift:false refuse instead, with Ollama's texts", () => {
  assert.throws(() => fitPrompt(range(40), 32, 4, { ...on, truncate: false }), /input length exceeds/);
  assert.throws(
    () => fitPrompt(range(40), 32, 4, { ...on, shift: false }),
    (e: Error) => e.message.startsWith("the prompt is longer than the context length currently available"),
  );
  assert.deepEqual(fitPrompt(range(10), 32, 4, { ...on, shift: false }), range(10));
});

test("boundedNumPredict: ten contexts at most; -1, -2 and 0 mean the bound", () => {
  assert.equal(boundedNumPredict(-1, 64), 640);
  assert.equal(boundedNumPredict(-2, 64), 640);
  assert.equal(boundedNumPredict(0, 64), 640);
  assert.equal(boundedNumPredict(5000, 64), 640);
  assert.equal(boundedNumPredict(100, 64), 100);
  assert.equal(boundedNumPredict(640, 64), 640);
});
