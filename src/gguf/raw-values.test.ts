import { test } from "node:test";
import assert from "node:assert/strict";
import { rawToF32 } from "./raw-values.js";
import { GgmlType } from "./types.js";

test("rawToF32: F16 specials (zeros, subnormals, infinities, NaN), BF16 and F32, at any byte offset", () => {
  const halves = [0x0000, 0x8000, 0x0001, 0x83ff, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00];
  const expected = [0, -0, 2 ** -24, -(1023 * 2 ** -24), 1, -2, 65504, Infinity, -Infinity];
  const f16 = new Uint8Array(new Uint16Array(halves).buffer);
  assert.deepEqual([...rawToF32({ type: GgmlType.F16, bytes: f16 })], expected);
  assert.ok(Number.isNaN(rawToF32({ type: GgmlType.F16, bytes: new Uint8Array([0x00, 0x7e]) })[0]));

  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040, 0x0000]).buffer);
  assert.deepEqual([...rawToF32({ type: GgmlType.BF16, bytes: bf16 })], [1, -3, 0]);

  // a Buffer from Node's shared pool may start at an odd offset
  const f32 = new Float32Array([1.5, -2.25, 3e-8]);
  const shifted = new Uint8Array(f32.byteLength + 1).subarray(1);
  shifted.set(new Uint8Array(f32.buffer));
  assert.deepEqual(rawToF32({ type: GgmlType.F32, bytes: shifted }), f32);
  const oddHalves = new Uint8Array(f16.byteLength + 1).subarray(1);
  oddHalves.set(f16);
  assert.deepEqual([...rawToF32({ type: GgmlType.F16, bytes: oddHalves })], expected);

  const into = new Float32Array(3);
  assert.equal(rawToF32({ type: GgmlType.F32, bytes: new Uint8Array(f32.buffer) }, into), into);
});
