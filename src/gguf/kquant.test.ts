import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Prng } from "./prng.js";
import * as kq from "./kquant.js";

type Encode = (src: Float32Array, out: Buffer, offset?: number) => number;
type Decode = (src: Buffer, count: number) => Float32Array;

// sha256 of what llama.cpp's reference quantizers (quantize_row_*_ref, commit de3ff81) write for
// `input()`, taken from a C program linked against its ggml-base.
const cases: Array<{
  name: string;
  encode: Encode;
  decode: Decode;
  bytes: number;
  sha: string;
  rmse: number;
}> = [
  {
    name: "Q4_K",
    encode: kq.quantizeQ4_K,
    decode: kq.dequantizeQ4_K,
    bytes: 144 / 256,
    sha: "7990545bb5c2e993a9be4f7eb5ade7f984106bb39938914c8a377da4387adb3e",
    rmse: 0.1,
  },
  {
    name: "Q5_K",
    encode: kq.quantizeQ5_K,
    decode: kq.dequantizeQ5_K,
    bytes: 176 / 256,
    sha: "4de4dc8c088278a1023fa6fca46edb14d7538f528ecd0477d47cba0b053735d5",
    rmse: 0.05,
  },
  {
    name: "Q6_K",
    encode: kq.quantizeQ6_K,
    decode: kq.dequantizeQ6_K,
    bytes: 210 / 256,
    sha: "acaa5b0ddb6566b63c7f5e584ed136c579e4d7dd2fdf594b316849cbe46958d7",
    rmse: 0.03,
  },
  {
    name: "Q5_0",
    encode: kq.quantizeQ5_0,
    decode: kq.dequantizeQ5_0,
    bytes: 22 / 32,
    sha: "8ba7b4cefc4c1279ce563acce8276cdb1ec849b5697d8d7bf835cae18fccc3e8",
    rmse: 0.08,
  },
  {
    name: "Q5_1",
    encode: kq.quantizeQ5_1,
    decode: kq.dequantizeQ5_1,
    bytes: 24 / 32,
    sha: "38f00427e246d2841332748d7ccaff00f1201741ebb9487f56e90c98b958a96d",
    rmse: 0.05,
  },
];

/** 1024 values, uniform with std 0.02 from seed 7, every 97th scaled by 8 (an outlier per block). */
function input(): Float32Array {
  const x = new Float32Array(1024);
  new Prng(7).fillUniform(x, 0.02);
  for (let i = 0; i < x.length; i += 97) x[i]! *= 8;
  return x;
}

function relativeRmse(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    err += (a[i]! - b[i]!) ** 2;
    sum += a[i]! ** 2;
  }
  return Math.sqrt(err / sum);
}

for (const c of cases) {
  test(`${c.name}: the bytes llama.cpp's reference quantizer writes, and a close round trip`, () => {
    const x = input();
    const out = Buffer.alloc(x.length * c.bytes);
    assert.equal(c.encode(x, out), out.length);
    assert.equal(createHash("sha256").update(out).digest("hex"), c.sha);
    assert.ok(relativeRmse(x, c.decode(out, x.length)) < c.rmse);
  });

  test(`${c.name}: zero and constant blocks decode exactly`, () => {
    const block = c.name.endsWith("_K") ? 256 : 32;
    const x = new Float32Array(block * 2).fill(0.5, block);
    const out = Buffer.alloc(x.length * c.bytes);
    c.encode(x, out);
    const y = c.decode(out, x.length);
    for (let i = 0; i < block; i++) assert.equal(Math.abs(y[i]!), 0);
    for (let i = block; i < 2 * block; i++) assert.ok(Math.abs(y[i]! - 0.5) < 0.5 / 60, `${i}: ${y[i]}`);
  });
}

test("k-quants refuse a length that is not whole super-blocks", () => {
  assert.throws(() => kq.quantizeQ4_K(new Float32Array(128), Buffer.alloc(144)), /multiple of 256/);
});
