import { test } from "node:test";
import assert from "node:assert/strict";
import { LogprobQueue } from "./logprob-queue.js";

const lp = (token: string) => ({ token, logprob: -1, top: [] });
const tokens = (out: Array<{ token: string }>) => out.map((l) => l.token);

test("log-probabilities go out with the text of their tokens", () => {
  const q = new LogprobQueue();
  q.add("Hel", lp("Hel"));
  q.add("lo", lp("lo"));
  assert.deepEqual(tokens(q.send("Hel")), ["Hel"]);
  assert.deepEqual(tokens(q.send("l")), []);
  assert.deepEqual(tokens(q.send("o")), ["lo"]);
  assert.deepEqual(q.finish(), []);
});

test("a token with no text yet (part of a character) goes out with what precedes it", () => {
  const q = new LogprobQueue();
  q.add("a", lp("a"));
  q.add("", lp("<0xE2>"));
  q.add("€", lp("<0x82><0xAC>"));
  assert.deepEqual(tokens(q.send("a")), ["a", "<0xE2>"]);
  assert.deepEqual(tokens(q.send("€")), ["<0x82><0xAC>"]);
});

test("at a stop, tokens cut off entirely are dropped and a partly sent one is kept", () => {
  const q = new LogprobQueue();
  q.add("Hi ", lp("Hi "));
  q.add("the", lp("the"));
  q.add("re", lp("re"));
  // stop sequence "here": "Hi t" went out
  assert.deepEqual(tokens(q.send("Hi t")), ["Hi "]);
  assert.deepEqual(tokens(q.finish()), ["the"]);
  assert.deepEqual(q.finish(), []);
});

test("tokens without log-probabilities leave the others aligned", () => {
  const q = new LogprobQueue();
  q.add("x", undefined);
  q.add("y", lp("y"));
  assert.deepEqual(tokens(q.send("x")), []);
  assert.deepEqual(tokens(q.send("y")), ["y"]);
});
