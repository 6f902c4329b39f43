import assert from "node:assert/strict";
import { test } from "node:test";
import { checkQuantizeType, detectContentType, normaliseDigest, validFsPath } from "./files.js";

test("validFsPath follows Go's io/fs.ValidPath", () => {
  for (const ok of [".", "model.gguf", "a/b/c.gguf", "a\\b", "c:x", "..x", "x.."])
    assert.equal(validFsPath(ok), true, ok);
  for (const bad of [
    "",
    "/etc/passwd",
    "../x",
    "a/../b",
    "a/./b",
    "a//b",
    "a/",
    "./a",
    "..",
    "x/..",
    "\ud800",
  ]) {
    assert.equal(validFsPath(bad), false, bad);
  }
});

test("detectContentType reads GGUF magic", () => {
  assert.equal(detectContentType(Buffer.from("GGUF\x03\0\0\0")), "gguf");
  assert.equal(detectContentType(Buffer.from("FUGG")), "gguf");
  assert.equal(detectContentType(Buffer.from("lmgg")), "ggml");
  assert.equal(detectContentType(Buffer.from("hello")), "");
  assert.equal(detectContentType(Buffer.from("GG")), "");
});

test("normaliseDigest and quantize names", () => {
  assert.equal(normaliseDigest("sha256-ab"), "sha256:ab");
  assert.equal(normaliseDigest("sha256:ab"), "sha256:ab");
  assert.equal(checkQuantizeType("Q8_0"), undefined);
  assert.match(checkQuantizeType("Q2") ?? "", /^unsupported quantization type Q2 - supported types are/);
});
