import { test } from "node:test";
import assert from "node:assert/strict";
import { f16ToF32, f32ToF16 } from "./fp16.js";
import { Prng } from "./prng.js";
import {
  decodeTensor,
  encodeTensor,
  dequantizeQ4_0,
  dequantizeQ8_0,
  encodedSize,
  quantizeQ4_0,
  quantizeQ8_0,
} from "./quant.js";
import { GgmlType } from "./types.js";

test("fp16 conversion matches IEEE half precision with round-to-nearest-even", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up past the largest finite half
    [Infinity, 0x7c00],
    [1e-8, 0x0000], // below half the smallest subnormal
    [6e-8, 0x0001],
    [1 + 2 ** -11, 0x3c00], // tie, even mantissa kept
    [1 + 3 * 2 ** -11, 0x3c02], // tie, rounds to the even neighbour
    [2 ** -14, 0x0400], // smallest normal
  ];
  for (const [f, h] of cases) assert.equal(f32ToF16(f), h, `f32ToF16(${f})`);
  assert.equal(f16ToF32(0x3c00), 1);
  assert.equal(f16ToF32(0x0001), 2 ** -24);
  assert.ok(Number.isNaN(f16ToF32(f32ToF16(NaN))));
  for (let h = 0; h < 0x7c00; h += 7) assert.equal(f32ToF16(f16ToF32(h)), h, `round trip ${h}`);
});

function ramp(): Float32Array {
  return Float32Array.from({ length: 32 }, (_, j) => j - 16);
}

test("Q8_0 block: fp16 scale amax/127, then 32 rounded int8 values", () => {
  const out = Buffer.alloc(34);
  assert.equal(quantizeQ8_0(ramp(), out), 34);
  assert.equal(out.readUInt16LE(0), 0x3008); // fp16(16/127)
  assert.equal(out.readInt8(2), -127); // -16 * 127/16
  assert.equal(out.readInt8(2 + 16), 0);
  assert.equal(out.readInt8(2 + 31), 119); // round(15 * 7.9375)
  const back = dequantizeQ8_0(out, 32);
  for (let j = 0; j < 32; j++) assert.ok(Math.abs((back[j] ?? 0) - (j - 16)) < 0.07, `element ${j}`);
});

test("Q4_0 block: scale maps the signed absmax to -8; byte j = element j | element j+16 << 4", () => {
  const out = Buffer.alloc(18);
  assert.equal(quantizeQ4_0(ramp(), out), 18);
  assert.equal(out.readUInt16LE(0), 0x4000); // d = -16 / -8 = 2
  assert.equal(out[2], 0x80); // element 0 → 0, element 16 → 8
  assert.equal(out[2 + 15], 0xf8); // element 15 → 8, element 31 → clamped to 15
  const back = dequantizeQ4_0(out, 32);
  assert.equal(back[0], -16);
  assert.equal(back[16], 0);
  assert.equal(back[31], 14);
  for (let j = 0; j < 32; j++) assert.ok(Math.abs((back[j] ?? 0) - (j - 16)) <= 1, `element ${j}`);
});

test("an all-zero block quantizes to a zero scale and zero values", () => {
  const z = new Float32Array(32);
  const q8 = Buffer.alloc(34, 0xff);
  quantizeQ8_0(z, q8);
  assert.ok(q8.equals(Buffer.alloc(34)));
  const q4 = Buffer.alloc(18);
  quantizeQ4_0(z, q4);
  assert.equal(q4.readUInt16LE(0), 0x8000); // 0 / -8 is -0 in C too
  assert.ok(q4.subarray(2).every((b) => b === 0x88));
  assert.ok(dequantizeQ4_0(q4, 32).every((v) => v === 0));
});

test("random data survives quantization within each format's error bound", () => {
  const n = 32 * 256;
  const src = new Float32Array(n);
  new Prng(7).fillUniform(src, 0.02);
  const amax = src.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const bytesPerValue = { 0: 4, 1: 2, 8: 34 / 32, 2: 18 / 32 };
  const check = (type: 0 | 1 | 8 | 2, bound: number): void => {
    assert.equal(encodedSize(type, n), n * bytesPerValue[type]);
    const buf = Buffer.alloc(encodedSize(type, n));
    encodeTensor(type, src, buf);
    const back = decodeTensor(type, buf, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs((back[i] ?? 0) - (src[i] ?? 0)));
    assert.ok(worst <= bound, `type ${type}: worst error ${worst} > ${bound}`);
  };
  check(GgmlType.F32, 0);
  check(GgmlType.F16, amax * 2 ** -11);
  check(GgmlType.Q8_0, (amax / 127) * 0.57); // + fp16 rounding of the scale
  check(GgmlType.Q4_0, (amax / 8) * 1.01);
});

test("quantizers reject partial blocks", () => {
  assert.throws(() => quantizeQ8_0(new Float32Array(31), Buffer.alloc(34)));
  assert.throws(() => quantizeQ4_0(new Float32Array(33), Buffer.alloc(36)));
});

test("BF16: the top half of each float32, ties to even, NaNs kept quiet; it reads back as those values", () => {
  const bits = [
    0x3f800000, 0x3f808000, 0x3f818000, 0x3f80c000, 0x80000000, 0x7f800000, 0x7f7fffff, 0x7f800001,
  ];
  const expected = [0x3f80, 0x3f80, 0x3f82, 0x3f81, 0x8000, 0x7f80, 0x7f80, 0x7fc0];
  const src = new Float32Array(new Uint32Array(bits).buffer);
  const out = Buffer.alloc(encodedSize(GgmlType.BF16, src.length));
  encodeTensor(GgmlType.BF16, src, out);
  assert.deepEqual(
    Array.from({ length: src.length }, (_, i) => out.readUInt16LE(2 * i)),
    expected,
  );
  const back = decodeTensor(GgmlType.BF16, out, src.length);
  assert.deepEqual([...back.subarray(0, 4)], [1, 1, 1.015625, 1.0078125]);
});

test("F16 tensors: each value as f32ToF16 converts it, subnormals, ties, overflow and NaN included", () => {
  const values = new Float32Array(4096);
  new Prng(5).fillUniform(values, 70000);
  const specials = [0, -0, 1, -1, 65504, 65519.99, 65520, -65536, 2 ** -14, 2 ** -24, 2 ** -25, 3e-8, 1e-10];
  specials.push(1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, -Infinity, NaN, 0.1, 1 / 3);
  values.set(specials);
  for (let i = 32; i < 64; i++) values[i] = values[i + 64]! * 2 ** -20;
  const out = Buffer.alloc(encodedSize(GgmlType.F16, values.length));
  encodeTensor(GgmlType.F16, values, out);
  for (let i = 0; i < values.length; i++)
    assert.equal(out.readUInt16LE(2 * i), f32ToF16(values[i]!), `value ${values[i]}`);
});
