import { test } from "node:test";
import assert from "node:assert/strict";
import { contextThreads } from "./threads.js";

test("one CPU thread when every layer is on the GPU, unless the user chose a count", () => {
  assert.equal(contextThreads(8, false, 25, 25), 1);
  assert.equal(contextThreads(8, false, 30, 25), 1);
  assert.equal(contextThreads(8, true, 25, 25), 8);
});

test("partial offload and the CPU keep every thread", () => {
  assert.equal(contextThreads(8, false, 24, 25), 8);
  assert.equal(contextThreads(8, false, 0, 25), 8);
  // unknown layer count: nothing to go on
  assert.equal(contextThreads(8, false, 0, 0), 8);
});
