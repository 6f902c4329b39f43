import { test } from "node:test";
import assert from "node:assert/strict";
import { StopMatcher } from "./stops.js";

function run(stops: string[], pieces: string[]) {
  const m = new StopMatcher(stops);
  let out = "";
  for (const p of pieces) {
    const r = m.push(p);
    out += r.emit;
    if (r.stopped) return { out, stopped: true };
  }
  return { out: out + m.flush(), stopped: false };
}

test("a stop split across pieces never leaks", () => {
  assert.deepEqual(run(["<|end|>"], ["Hello <|", "en", "d|> more"]), { out: "Hello ", stopped: true });
});

test("held text that turns out not to be a stop is emitted", () => {
  assert.deepEqual(run(["<|end|>"], ["a <|", "x"]), { out: "a <|x", stopped: false });
  assert.deepEqual(run(["STOP"], ["ST"]), { out: "ST", stopped: false });
});

test("the earliest of several stops wins, and is reported", () => {
  assert.deepEqual(run(["b", "a"], ["xxab"]), { out: "xx", stopped: true });
  assert.deepEqual(new StopMatcher(["b", "a"]).push("xxab"), { emit: "xx", stopped: true, stop: "a" });
});

test("no stops passes everything", () => {
  assert.deepEqual(run([], ["a", "b"]), { out: "ab", stopped: false });
});
