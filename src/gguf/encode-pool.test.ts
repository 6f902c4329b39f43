import { test } from "node:test";
import assert from "node:assert/strict";
import { createEncodePool } from "./encode-pool.js";
import { encodeTensor, encodedSize } from "./quant.js";
import { GgmlType } from "./types.js";
import { Prng } from "./prng.js";

test("encode pool: the bytes encodeTensor writes, in any order of completion; errors come back as rejections", async () => {
  const pool = createEncodePool(2);
  try {
    const inputs = [256, 512, 1024].map((n, i) => {
      const x = new Float32Array(n);
      new Prng(i + 1).fillUniform(x, 0.02);
      return x;
    });
    const expected = inputs.map((x) => {
      const out = Buffer.alloc(encodedSize(GgmlType.Q4_K, x.length));
      encodeTensor(GgmlType.Q4_K, x, out);
      return out;
    });
    // the arrays are handed over, so the pool gets copies
    const got = await Promise.all(inputs.map((x) => pool.encode(GgmlType.Q4_K, x.slice())));
    assert.deepEqual(got, expected);
    await assert.rejects(pool.encode(GgmlType.Q4_K, new Float32Array(100)), /not a whole number of blocks/);
    assert.deepEqual(await pool.encode(GgmlType.Q4_K, inputs[0]!.slice()), expected[0]);
  } finally {
    await pool.close();
  }
});
