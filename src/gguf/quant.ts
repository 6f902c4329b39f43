// Encoders for the tensor types the writer supports, byte-for-byte in ggml's block layouts
// (ggml-common.h): Q8_0 = { fp16 d; int8 qs[32] }, Q4_0 = { fp16 d; uint8 qs[16] } where byte j
// holds element j in its low nibble and element j+16 in its high nibble. The arithmetic follows
// quantize_row_q8_0_ref / quantize_row_q4_0_ref in float32 so results match llama.cpp's own.

import { f16ToF32, f32ToF16 } from "./fp16.js";
import { GgmlType, ggmlTypeLayout } from "./types.js";
import { checkBlocks, roundAway, signedMax } from "./block-math.js";
import { isRawValues, rawToF32, rawWidth, type RawType, type RawValues } from "./raw-values.js";
import {
  dequantizeQ4_K,
  dequantizeQ5_0,
  dequantizeQ5_1,
  dequantizeQ5_K,
  dequantizeQ6_K,
  quantizeQ4_K,
  quantizeQ5_0,
  quantizeQ5_1,
  quantizeQ5_K,
  quantizeQ6_K,
} from "./kquant.js";

const QK = 32;
const fround = Math.fround;

export function quantizeQ8_0(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, QK, "Q8_0");
  const quants = new Int8Array(out.buffer, out.byteOffset, out.length);
  let o = outOffset;
  for (let b = 0; b < src.length; b += QK) {
    let amax = 0;
    for (let j = b; j < b + QK; j++) {
      const a = Math.abs(src[j] as number);
      if (a > amax) amax = a;
    }
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    const half = f32ToF16(d);
    out[o] = half & 0xff;
    out[o + 1] = half >> 8;
    o += 2;
    for (let j = b; j < b + QK; j++) quants[o++] = roundAway(fround((src[j] as number) * id));
  }
  return o - outOffset;
}

export function quantizeQ4_0(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, QK, "Q4_0");
  let o = outOffset;
  for (let b = 0; b < src.length; b += QK) {
    // the scale maps the largest-magnitude value, with its sign, onto -8
    const d = fround(signedMax(src, b, QK) / -8);
    const id = d !== 0 ? fround(1 / d) : 0;
    out.writeUInt16LE(f32ToF16(d), o);
    o += 2;
    for (let j = 0; j < QK / 2; j++) {
      const x0 = fround((src[b + j] ?? 0) * id);
      const x1 = fround((src[b + QK / 2 + j] ?? 0) * id);
      const q0 = Math.min(15, Math.trunc(fround(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(fround(x1 + 8.5)));
      out[o++] = q0 | (q1 << 4);
    }
  }
  return o - outOffset;
}

export function dequantizeQ8_0(src: Buffer, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let b = 0, o = 0; b < count; b += QK, o += 34) {
    const d = f16ToF32(src.readUInt16LE(o));
    for (let j = 0; j < QK; j++) out[b + j] = d * src.readInt8(o + 2 + j);
  }
  return out;
}

export function dequantizeQ4_0(src: Buffer, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let b = 0, o = 0; b < count; b += QK, o += 18) {
    const d = f16ToF32(src.readUInt16LE(o));
    for (let j = 0; j < QK / 2; j++) {
      const byte = src[o + 2 + j] ?? 0;
      out[b + j] = d * ((byte & 0x0f) - 8);
      out[b + QK / 2 + j] = d * ((byte >> 4) - 8);
    }
  }
  return out;
}

type Encode = (src: Float32Array, out: Buffer, outOffset?: number) => number;
type Decode = (src: Buffer, count: number) => Float32Array;

function encodeF32(src: Float32Array, out: Buffer, outOffset = 0): number {
  for (let i = 0; i < src.length; i++) out.writeFloatLE(src[i] ?? 0, outOffset + i * 4);
  return src.length * 4;
}

/**
 * f32ToF16 for every value; the common case (a value with a normal half) is written out here on
 * the float's bits, which is several times faster than a call per value.
 */
function encodeF16(src: Float32Array, out: Buffer, outOffset = 0): number {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i] as number;
    const exp = (x >>> 23) & 0xff;
    let half: number;
    if (exp > 112 && exp < 143) {
      // rebias the exponent, keep the top 10 mantissa bits, round the other 13 to nearest even
      const mant = x & 0x7fffff;
      half = ((exp - 112) << 10) | (mant >>> 13);
      const rest = mant & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (half & 1) !== 0)) half++;
      half |= (x >>> 16) & 0x8000;
    } else {
      half = f32ToF16(src[i] as number);
    }
    out[outOffset + 2 * i] = half & 0xff;
    out[outOffset + 2 * i + 1] = half >>> 8;
  }
  return src.length * 2;
}

/**
 * ggml's fp32-to-bf16 (what llama-quantize writes for BF16): the top half of the float32, rounded to
 * nearest with ties to even; a NaN keeps its top half with the quiet bit set.
 */
function encodeBF16(src: Float32Array, out: Buffer, outOffset = 0): number {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const u = bits[i] as number;
    const half = (u & 0x7fffffff) > 0x7f800000 ? (u >>> 16) | 64 : (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    out[outOffset + 2 * i] = half & 0xff;
    out[outOffset + 2 * i + 1] = half >>> 8;
  }
  return src.length * 2;
}

/** Decodes `count` values of an unblocked type the way the quantizer reads its sources. */
function decodeRaw(type: RawType): Decode {
  return (src, count) => rawToF32({ type, bytes: src.subarray(0, count * rawWidth[type]) });
}

/** The tensor types the writer can produce, each with its encoder and decoder. */
const CODECS = {
  [GgmlType.F32]: [encodeF32, decodeRaw(GgmlType.F32)],
  [GgmlType.F16]: [encodeF16, decodeRaw(GgmlType.F16)],
  [GgmlType.BF16]: [encodeBF16, decodeRaw(GgmlType.BF16)],
  [GgmlType.Q8_0]: [quantizeQ8_0, dequantizeQ8_0],
  [GgmlType.Q4_0]: [quantizeQ4_0, dequantizeQ4_0],
  [GgmlType.Q5_0]: [quantizeQ5_0, dequantizeQ5_0],
  [GgmlType.Q5_1]: [quantizeQ5_1, dequantizeQ5_1],
  [GgmlType.Q4_K]: [quantizeQ4_K, dequantizeQ4_K],
  [GgmlType.Q5_K]: [quantizeQ5_K, dequantizeQ5_K],
  [GgmlType.Q6_K]: [quantizeQ6_K, dequantizeQ6_K],
} as const satisfies Record<number, readonly [Encode, Decode]>;

/** The tensor types `encodeTensor` can produce. */
export type WritableType = keyof typeof CODECS;

export function isWritableType(t: number): t is WritableType {
  return Object.hasOwn(CODECS, t);
}

/** Bytes that `count` values of `type` take on disk. */
export function encodedSize(type: number, count: number): number {
  const l = ggmlTypeLayout(type);
  if (!l) throw new Error(`unknown ggml type ${type}`);
  if (count % l.blockSize !== 0) throw new Error(`${count} values is not a whole number of blocks`);
  return (count / l.blockSize) * l.typeSize;
}

/** Encodes `src` as `type` into `out` at `outOffset`; returns the bytes written. */
export function encodeTensor(type: WritableType, src: Float32Array, out: Buffer, outOffset = 0): number {
  return CODECS[type][0](src, out, outOffset);
}

/**
 * `src` encoded as `type` in a buffer of its own (one that can be handed to another thread): in
 * `space` when that is large enough, else in new memory. Raw values are decoded into `scratch`
 * when it is large enough, or else into a new array.
 */
export function encodeToBuffer(
  type: WritableType,
  src: Float32Array | RawValues,
  scratch?: Float32Array,
  space?: ArrayBuffer,
): Buffer {
  const values = isRawValues(src) ? rawToF32(src, scratch) : src;
  const size = encodedSize(type, values.length);
  // zeroed as Buffer.alloc's memory is: no encoder need rely on writing every byte
  const out = space && space.byteLength >= size ? Buffer.from(space, 0, size).fill(0) : Buffer.alloc(size);
  encodeTensor(type, values, out, 0);
  return out;
}

/** Decodes data of a writable type back to float32 (tests and sanity checks). */
export function decodeTensor(type: WritableType, src: Buffer, count: number): Float32Array {
  return CODECS[type][1](src, count);
}
