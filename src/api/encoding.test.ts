import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { MAX_DECOMPRESSED, decodeBody } from "./encoding.js";
import { zstdFrame } from "./zstd-frame.test-helper.js";

test("zstd frames decode: raw and RLE blocks, several frames, a skippable frame between", () => {
  const hello = zstdFrame([{ raw: Buffer.from('{"a":') }, { rle: "1", count: 3 }, { raw: Buffer.from("}") }]);
  assert.equal(decodeBody(hello, "zstd").toString(), '{"a":111}');
  const skippable = Buffer.alloc(12);
  skippable.writeUInt32LE(0x184d2a53, 0);
  skippable.writeUInt32LE(4, 4);
  const two = Buffer.concat([
    zstdFrame([{ raw: Buffer.from("ab") }]),
    skippable,
    zstdFrame([{ raw: Buffer.from("c") }]),
  ]);
  assert.equal(decodeBody(two, "ZSTD").toString(), "abc");
});

test("gzip, deflate and br decode; identity and unknown encodings pass through", () => {
  assert.equal(decodeBody(gzipSync("hi"), "gzip").toString(), "hi");
  assert.equal(decodeBody(Buffer.from("hi"), undefined).toString(), "hi");
  assert.equal(decodeBody(Buffer.from("hi"), "identity").toString(), "hi");
  assert.equal(decodeBody(Buffer.from("hi"), "x-custom").toString(), "hi");
});

test("broken or oversized bodies are 400s, before anything is allocated for them", () => {
  const fails = (body: Buffer, encoding: string, message: RegExp) =>
    assert.throws(
      () => decodeBody(body, encoding),
      (e: Error & { status?: number }) => {
        assert.equal(e.status, 400);
        assert.match(e.message, message);
        return true;
      },
    );
  fails(Buffer.from("not zstd at all"), "zstd", /^failed to decompress zstd body$/);
  fails(Buffer.from("not gzip"), "gzip", /^failed to decompress gzip body$/);
  // A truncated frame, and one whose block runs past the end.
  const frame = zstdFrame([{ raw: Buffer.from("abcdef") }]);
  fails(frame.subarray(0, frame.length - 2), "zstd", /failed to decompress/);
  // A 1 GiB window (no content size): refused from its header.
  const bomb = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (20 << 3) | 0, 0x01, 0x00, 0x00]);
  fails(bomb, "zstd", /failed to decompress/);
  // An RLE block expanding past the limit.
  const blocks = Array.from({ length: MAX_DECOMPRESSED / 2 ** 17 + 1 }, () => ({ rle: "x", count: 2 ** 17 }));
  fails(zstdFrame(blocks, false), "zstd", /request body too large/);
  fails(gzipSync(Buffer.alloc(MAX_DECOMPRESSED + 1)), "gzip", /request body too large/);
});
