import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { blobPath, blobSize, hasBlob, isValidDigest, sha256Digest, verifyBlob, writeBlob } from "./blobs.js";
import { BlobNotFoundError, DigestMismatchError, InvalidDigestError } from "./errors.js";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "tollama-blobs-"));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const HELLO = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

test("validates digests as Ollama's BlobsPath does", () => {
  assert.equal(isValidDigest(HELLO), true);
  assert.equal(isValidDigest(HELLO.replace(":", "-")), true);
  assert.equal(isValidDigest(HELLO.toUpperCase().replace("SHA256", "sha256")), true);
  for (const bad of [
    "",
    "sha256:abc",
    `sha512:${"a".repeat(64)}`,
    `${HELLO}0`,
    `sha256:${"g".repeat(64)}`,
    ` ${HELLO}`,
    `${HELLO}\n`,
  ]) {
    assert.equal(isValidDigest(bad), false, bad);
  }
});

test("maps digests to blob files and nowhere else", () => {
  assert.equal(blobPath("/m/blobs", HELLO), `/m/blobs/${HELLO.replace(":", "-")}`);
  for (const bad of [
    "../../etc/passwd",
    `sha256:../${"a".repeat(61)}`,
    `/sha256:${"a".repeat(64)}`,
    "sha256:",
  ]) {
    assert.throws(() => blobPath("/m/blobs", bad), {
      name: "InvalidDigestError",
      message: "invalid digest format",
    });
  }
});

test("writes a buffer, a string and a stream to the same blob", async () => {
  await withDir(async (dir) => {
    const first = await writeBlob(dir, Buffer.from("hello"));
    assert.deepEqual(first, { digest: HELLO, size: 5, path: blobPath(dir, HELLO), existed: false });
    const second = await writeBlob(dir, "hello", HELLO);
    assert.equal(second.existed, true);
    const third = await writeBlob(dir, Readable.from([Buffer.from("hel"), Buffer.from("lo")]));
    assert.equal(third.digest, HELLO);
    assert.deepEqual(await fs.readdir(dir), [HELLO.replace(":", "-")]);
    assert.equal((await fs.stat(first.path)).mode & 0o777, 0o644);
    assert.equal(await hasBlob(dir, HELLO), true);
    assert.equal(await blobSize(dir, HELLO), 5);
    await verifyBlob(dir, HELLO);
  });
});

test("a digest mismatch leaves nothing behind", async () => {
  await withDir(async (dir) => {
    const wrong = sha256Digest("other");
    await assert.rejects(writeBlob(dir, "hello", wrong), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError);
      assert.equal(err.message, `digest mismatch, expected "${wrong}", got "${HELLO}"`);
      assert.equal(err.status, 400);
      return true;
    });
    assert.deepEqual(await fs.readdir(dir), []);
  });
});

test("a failing stream leaves nothing behind", async () => {
  await withDir(async (dir) => {
    async function* broken() {
      yield Buffer.from("part");
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error("connection reset");
    }
    await assert.rejects(writeBlob(dir, broken()), /connection reset/);
    assert.deepEqual(await fs.readdir(dir), []);
  });
});

test("rejects an invalid expected digest before reading", async () => {
  await withDir(async (dir) => {
    await assert.rejects(writeBlob(dir, "hello", "sha256:nope"), InvalidDigestError);
    await assert.rejects(hasBlob(dir, "nope"), InvalidDigestError);
    assert.deepEqual(await fs.readdir(dir), []);
  });
});

test("verification reports pull's wording and can remove the bad file", async () => {
  await withDir(async (dir) => {
    const fake = sha256Digest("expected");
    await fs.writeFile(blobPath(dir, fake), "tampered");
    const actual = sha256Digest("tampered");
    await assert.rejects(verifyBlob(dir, fake), {
      message: `digest mismatch, file must be downloaded again: want ${fake}, got ${actual}`,
    });
    assert.equal(await hasBlob(dir, fake), true);
    await assert.rejects(verifyBlob(dir, fake, true), DigestMismatchError);
    assert.equal(await hasBlob(dir, fake), false);
    await assert.rejects(verifyBlob(dir, fake), BlobNotFoundError);
    await assert.rejects(blobSize(dir, fake), { message: `blob "${fake}" not found` });
  });
});
