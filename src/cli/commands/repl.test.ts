import { test } from "node:test";
import assert from "node:assert/strict";
import { LineReader } from "./repl.js";
import { parseThink } from "./run.js";

void test("chat lines become actions", () => {
  const r = new LineReader();
  assert.deepEqual(r.feed("hello there"), { kind: "send", text: "hello there" });
  assert.deepEqual(r.feed("   "), { kind: "none" });
  assert.deepEqual(r.feed("/bye"), { kind: "exit" });
  assert.deepEqual(r.feed("/exit"), { kind: "exit" });
  assert.deepEqual(r.feed("/clear"), { kind: "clear" });
  assert.deepEqual(r.feed("/?"), { kind: "help" });
  assert.deepEqual(r.feed("/set verbose"), { kind: "unknown", command: "/set" });
});

void test('""" starts and ends a multi-line message', () => {
  const r = new LineReader();
  assert.deepEqual(r.feed('"""first'), { kind: "more" });
  assert.ok(r.inBlock);
  assert.deepEqual(r.feed("second"), { kind: "more" });
  assert.deepEqual(r.feed('third"""'), { kind: "send", text: "first\nsecond\nthird" });
  assert.ok(!r.inBlock);
  assert.deepEqual(r.feed('"""one line"""'), { kind: "send", text: "one line" });
});

void test("--think values", () => {
  assert.equal(parseThink(undefined), undefined);
  assert.equal(parseThink(true), true);
  assert.equal(parseThink("true"), true);
  assert.equal(parseThink("false"), false);
  assert.equal(parseThink("high"), "high");
  assert.throws(
    () => parseThink("very"),
    /invalid value for --think: "very" \(must be true, false, high, medium, low, or max\)/,
  );
});
