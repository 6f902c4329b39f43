import { test } from "node:test";
import assert from "node:assert/strict";
import { formatParam, ParameterError, PARAMETER_TYPES } from "./params.js";

void test("types parameters by Ollama's option types", () => {
  assert.equal(formatParam("num_ctx", ["4096"]), 4096);
  assert.equal(formatParam("seed", ["-1"]), -1);
  assert.equal(formatParam("temperature", ["0.7"]), 0.7);
  assert.equal(formatParam("top_p", ["1"]), 1);
  assert.equal(formatParam("min_p", ["1e-2"]), 0.01);
  assert.equal(formatParam("use_mmap", ["true"]), true);
  assert.equal(formatParam("use_mmap", ["F"]), false);
  assert.equal(formatParam("main_gpu", ["0"]), 0);
  assert.deepEqual(formatParam("stop", ["<|im_end|>"]), ["<|im_end|>"]);
});

void test("bad values give Ollama's errors", () => {
  const bad: [string, string, string][] = [
    ["num_ctx", "1.5", "invalid int value [1.5]"],
    ["top_k", "abc", "invalid int value [abc]"],
    ["temperature", "hot", "invalid float value [hot]"],
    ["use_mmap", "yes", "invalid bool value [yes]"],
    ["numa", "true", "unknown parameter 'numa'"],
    ["Temperature", "1", "unknown parameter 'Temperature'"],
  ];
  for (const [k, v, msg] of bad) {
    assert.throws(
      () => formatParam(k, [v]),
      (e: unknown) => e instanceof ParameterError && e.message === msg,
      k,
    );
  }
});

void test("int range is int64", () => {
  assert.throws(() => formatParam("seed", ["9223372036854775808"]), /invalid int value/);
});

void test("the option table matches api.Options", () => {
  assert.equal(Object.keys(PARAMETER_TYPES).length, 20);
});
