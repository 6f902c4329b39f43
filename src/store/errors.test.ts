import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BlobNotFoundError,
  DigestMismatchError,
  InvalidDigestError,
  InvalidNameError,
  ModelNotFoundError,
  StoreError,
  goQuote,
} from "./errors.js";

test("quotes like Go's %q", () => {
  assert.equal(goQuote("llama3"), '"llama3"');
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote("a\nb\tc\x00\x7f"), '"a\\nb\\tc\\x00\\x7f"');
  assert.equal(goQuote("é ü 日本"), '"é ü 日本"');
  assert.equal(goQuote("\u200b\u2028\u0085"), '"\\u200b\\u2028\\u0085"');
  assert.equal(goQuote("\u{e0001}"), '"\\U000e0001"');
  assert.equal(goQuote("\ud800"), '"\ufffd"');
});

test("carries Ollama's messages and statuses", () => {
  const cases: [StoreError, string, number][] = [
    [new InvalidNameError("x y"), "invalid model name", 400],
    [new InvalidNameError("x\ny", "name"), 'name "x\\ny" is invalid', 400],
    [new ModelNotFoundError("llama3"), "model 'llama3' not found", 404],
    [new ModelNotFoundError("llama3", "quoted"), 'model "llama3" not found', 404],
    [new InvalidDigestError("sha256:x"), "invalid digest format", 400],
    [new BlobNotFoundError("sha256:x"), 'blob "sha256:x" not found', 404],
    [
      new DigestMismatchError("sha256:a", "sha256:b"),
      'digest mismatch, expected "sha256:a", got "sha256:b"',
      400,
    ],
    [
      new DigestMismatchError("sha256:a", "sha256:b", "download"),
      "digest mismatch, file must be downloaded again: want sha256:a, got sha256:b",
      500,
    ],
  ];
  for (const [err, message, status] of cases) {
    assert.equal(err.message, message);
    assert.equal(err.status, status);
    assert.ok(err instanceof StoreError && err instanceof Error);
    assert.equal(err.name, err.constructor.name);
  }
});
