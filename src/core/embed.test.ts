import { test } from "node:test";
import assert from "node:assert/strict";
import { normalize, scanFrom, shortestFloat32 } from "./embed.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (bits: number) => {
  u32[0] = bits >>> 0;
  return f32[0]!;
};
/** A seeded xorshift, so a failure reproduces. */
function bits(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function same(v: number) {
  const got = shortestFloat32(v);
  const want = scanFrom(Math.fround(v), 1);
  assert.ok(Object.is(got, want), `${v}: ${got} vs ${want}`);
}

test("shortestFloat32 gives the plain scan's digits for any float32", () => {
  const next = bits(7);
  for (let i = 0; i < 100_000; i++) {
    const v = fromBits(next());
    if (Number.isFinite(v)) same(v);
  }
  // embedding-like values, and every power of two (lopsided round-trip intervals)
  for (let i = 0; i < 50_000; i++) same((next() / 2 ** 32 - 0.5) * 0.2);
  for (let e = -149; e <= 127; e++) {
    same(2 ** e);
    same(-(2 ** e));
  }
  for (const v of [0.1, 0.5, 1, 1.5, 3.4028234663852886e38, 1e-45, 16777216, 0.30000001192092896]) same(v);
});

test("shortestFloat32 keeps zero, infinities and NaN", () => {
  assert.ok(Object.is(shortestFloat32(0), 0));
  assert.ok(Object.is(shortestFloat32(-0), -0));
  assert.equal(shortestFloat32(Infinity), Infinity);
  assert.ok(Number.isNaN(shortestFloat32(NaN)));
  assert.equal(shortestFloat32(0.1), 0.1);
  assert.equal(shortestFloat32(1 / 3), 0.33333334);
});

test("normalize scales to unit length in float32 and refuses NaN", () => {
  const v = normalize([3, 4]);
  assert.deepEqual(v, [Math.fround(0.6), Math.fround(0.8)]);
  assert.deepEqual(normalize([0, 0]), [0, 0]);
  assert.throws(() => normalize([1, NaN]), /NaN or Inf/);
});
