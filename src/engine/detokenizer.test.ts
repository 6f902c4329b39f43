import { test } from "node:test";
import assert from "node:assert/strict";
import { IncrementalDetokenizer } from "./detokenizer.js";

test("holds back incomplete UTF-8 until the character completes", () => {
  // Token 1 and 2 are the two halves of "é"; the fake renders an incomplete half as U+FFFD.
  const fake = (tokens: readonly number[]) =>
    tokens.includes(1) && !tokens.includes(2)
      ? "\uFFFD"
      : tokens.map((t) => (t === 2 ? "é" : t === 1 ? "" : "a")).join("");
  const d = new IncrementalDetokenizer(fake);
  assert.equal(d.push(0), "a");
  assert.equal(d.push(1), "");
  assert.equal(d.push(2), "é");
  assert.equal(d.flush(), "");
});

test("the first token is detokenized after the prompt's last tokens", () => {
  const seen: Array<readonly number[]> = [];
  const d = new IncrementalDetokenizer(
    (tokens, context) => {
      seen.push(context);
      return tokens.map(() => "x").join("");
    },
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  d.push(11);
  d.push(12);
  assert.deepEqual(seen, [
    [3, 4, 5, 6, 7, 8, 9, 10],
    [4, 5, 6, 7, 8, 9, 10, 11],
  ]);
});
