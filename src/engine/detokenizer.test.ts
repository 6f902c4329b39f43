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
