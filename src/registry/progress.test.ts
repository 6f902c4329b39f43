import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { progressStream, shortDigest, transferProgress } from "./progress.js";
import { partSize, resolveTuning, splitRanges } from "./tuning.js";

const DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

describe("progress objects", () => {
  it("print 12 hex digits and omit zero counts as Go's omitempty does", () => {
    assert.equal(shortDigest(DIGEST), "0123456789ab");
    assert.deepEqual(transferProgress("pulling", DIGEST, 10, 0), {
      status: "pulling 0123456789ab",
      digest: DIGEST,
      total: 10,
    });
    assert.deepEqual(transferProgress("pushing", DIGEST, 10, 10), {
      status: "pushing 0123456789ab",
      digest: DIGEST,
      total: 10,
      completed: 10,
    });
  });

  it("stream in order and end with the operation's error", async () => {
    const seen: string[] = [];
    const gen = progressStream(async (emit) => {
      emit({ status: "a" });
      await new Promise((r) => setTimeout(r, 5));
      emit({ status: "b" });
      throw new Error("boom");
    });
    await assert.rejects(async () => {
      for await (const p of gen) seen.push(p.status);
    }, /boom/);
    assert.deepEqual(seen, ["a", "b"]);
  });
});

describe("part sizing", () => {
  it("uses Ollama's 16 parts clamped to 100 MB..1000 MB", () => {
    const t = resolveTuning();
    assert.equal(partSize(1e9, t), 100e6);
    assert.equal(partSize(4e9, t), 250e6);
    assert.equal(partSize(40e9, t), 1000e6);
    assert.deepEqual(splitRanges(25, 10), [
      { offset: 0, size: 10 },
      { offset: 10, size: 10 },
      { offset: 20, size: 5 },
    ]);
    assert.deepEqual(splitRanges(0, 10), []);
  });
});
