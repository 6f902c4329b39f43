import { test } from "node:test";
import assert from "node:assert/strict";
import { createEncodePool } from "./encode-pool.js";
import { encodeTensor, encodedSize } from "./quant.js";
import { GgmlType } from "./types.js";
import { Prng } from "./prng.js";
import { f16ToF32, f32ToF16 } from "./fp16.js";

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

test("encode pool: raw F16, BF16 and F32 chunks are decoded on the worker, to the bytes of their float32 values", async () => {
  const pool = createEncodePool(2);
  try {
    const x = new Float32Array(512);
    new Prng(9).fillUniform(x, 0.05);
    const f16 = new Uint16Array(x.length);
    for (let i = 0; i < x.length; i++) f16[i] = f32ToF16(x[i]!);
    // the values each raw form holds (every F16 and BF16 value is a float32 too)
    const halves = Float32Array.from(f16, (h) => f16ToF32(h));
    const bf16 = Uint16Array.from(new Uint32Array(x.buffer), (bits) => bits >>> 16);
    const cases = [
      { raw: { type: GgmlType.F16, bytes: new Uint8Array(f16.buffer.slice(0)) }, values: halves },
      {
        raw: { type: GgmlType.BF16, bytes: new Uint8Array(bf16.buffer.slice(0)) },
        values: new Float32Array(Uint32Array.from(bf16, (h) => h << 16).buffer),
      },
      { raw: { type: GgmlType.F32, bytes: new Uint8Array(x.buffer.slice(0)) }, values: x },
    ] as const;
    for (const { raw, values } of cases) {
      const expected = Buffer.alloc(encodedSize(GgmlType.Q8_0, values.length));
      encodeTensor(GgmlType.Q8_0, values, expected);
      assert.deepEqual(await pool.encode(GgmlType.Q8_0, raw), expected, `raw type ${raw.type}`);
    }
  } finally {
    await pool.close();
  }
});

test("encode pool: chunks read into reused memory and encoded into it give the same bytes", async () => {
  const pool = createEncodePool(2);
  try {
    const rng = new Prng(3);
    for (let round = 0; round < 3; round++) {
      // sizes that shrink and grow, so blocks are reused for smaller chunks and passed over for larger
      const sizes = [4096, 256, 8192, 1024, 4096, 512];
      const jobs = sizes.map(async (n) => {
        const values = new Float32Array(n);
        rng.fillUniform(values, 0.05);
        const halves = Uint16Array.from(values, (v) => f32ToF16(v));
        const bytes = pool.buffer(n * 2);
        bytes.set(new Uint8Array(halves.buffer));
        const expected = Buffer.alloc(encodedSize(GgmlType.Q6_K, n));
        encodeTensor(
          GgmlType.Q6_K,
          Float32Array.from(halves, (h) => f16ToF32(h)),
          expected,
        );
        const got = await pool.encode(GgmlType.Q6_K, { type: GgmlType.F16, bytes });
        assert.deepEqual(got, expected);
        pool.release(got);
      });
      await Promise.all(jobs);
    }
  } finally {
    await pool.close();
  }
});
