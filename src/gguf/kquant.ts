// Encoders (and decoders, for tests) for the block types llama-quantize's Q4_K_S and Q4_K_M mixes
// use: Q4_K, Q5_K and Q6_K (256-value super-blocks), and Q5_0 / Q5_1, the fallbacks for rows that
// are not whole super-blocks. Block layouts are ggml-common.h's; the searches for scales and mins
// follow ggml's reference quantizers (no importance matrix, as Ollama runs llama-quantize), in
// double precision, so a value on a rounding edge can land one step away from llama.cpp's choice.

import { f16ToF32, f32ToF16 } from "./fp16.js";
import { checkBlocks, nearestEven, signedMax } from "./block-math.js";

const QK_K = 256;
const SUB = 32;
/** nearestEven()'s constant, for the loops that write it out (an imported binding is not folded). */
const ROUNDER = 6755399441055744;

/** nearestEven(v), kept within [min, max]. */
function level(v: number, min: number, max: number): number {
  const l = nearestEven(v);
  return l < min ? min : l > max ? max : l;
}

/** A value as it reads back after a round trip through fp16. */
function viaF16(v: number): number {
  return f16ToF32(f32ToF16(v));
}

/** Scratch buffers, reused across calls (quantizing is synchronous). */
const scratch = {
  xs: new Float64Array(SUB),
  weights: new Float64Array(SUB),
  weightedXs: new Float64Array(SUB),
  levels: new Uint8Array(QK_K),
  scales: new Float64Array(QK_K / SUB),
  mins: new Float64Array(QK_K / SUB),
  ls: new Uint8Array(QK_K / SUB),
  lm: new Uint8Array(QK_K / SUB),
};

/**
 * The grid of each group's best fit (up to 16 groups a super-block): its levels are
 * nearestEven(inv * (x - offset)), clamped; inv 0 means all levels 0. ggml's quantizers keep a
 * fit's levels only for a group whose stored scale rounds to zero (every other value is quantized
 * again against the stored scales), so they are worked out only for those.
 */
const grids = { inv: new Float64Array(16), offset: new Float64Array(16) };

/** Writes group `g`'s levels for `x[at..at+n)` from its grid, plus `bias`, into `levels` at `lat`. */
function gridLevels(
  g: number,
  x: Float32Array,
  at: number,
  n: number,
  range: { lowest: number; highest: number; bias: number },
  levels: Uint8Array,
  lat: number,
): void {
  const inv = grids.inv[g] as number;
  const offset = grids.offset[g] as number;
  if (inv === 0) {
    levels.fill(0, lat, lat + n);
    return;
  }
  for (let i = 0; i < n; i++) {
    const l = level(inv * ((x[at + i] as number) - offset), range.lowest, range.highest);
    levels[lat + i] = range.bias + l;
  }
}

/**
 * Fits group `g`, `x[at..at+32)`, as scale * L - min with L in [0, nmax], weighting each error by
 * |x| + rms(x) and trying nstep + 1 scales around the plain range fit (ggml's make_qkx2_quants).
 * Returns the scale; writes the (non-negative) min into `mins[g]` and the winning grid into `grids`.
 */
function fitScaleMin(
  g: number,
  x: Float32Array,
  at: number,
  nmax: number,
  search: { rmin: number; nstep: number },
  mins: Float64Array,
): number {
  const { xs, weights } = scratch;
  const { rmin, nstep } = search;
  const rdelta = 0.1;
  let sumX2 = 0;
  for (let i = 0; i < SUB; i++) {
    const v = x[at + i] as number;
    xs[i] = v;
    sumX2 += v * v;
  }
  const avg = Math.sqrt(sumX2 / SUB);
  let lo = xs[0] as number;
  let hi = lo;
  let sumW = 0;
  let sumX = 0;
  let sumWX2 = 0;
  for (let i = 0; i < SUB; i++) {
    const v = xs[i] as number;
    const w = avg + Math.abs(v);
    weights[i] = w;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sumW += w;
    sumX += w * v;
    sumWX2 += w * v * v;
  }
  if (lo > 0) lo = 0;
  if (hi === lo) {
    grids.inv[g] = 0;
    mins[g] = -lo;
    return 0;
  }
  const inv0 = nmax / (hi - lo);
  let scale = 1 / inv0;
  let min = lo;
  grids.inv[g] = inv0;
  grids.offset[g] = lo;
  // level() and nearestEven() are written out in both loops: they are most of a k-quant's time,
  // V8 stops inlining them there, and a ternary clamps faster than Math.min/max.
  let best = 0;
  for (let i = 0; i < SUB; i++) {
    const v = xs[i] as number;
    let l = inv0 * (v - lo) + ROUNDER - ROUNDER;
    l = l < 0 ? 0 : l > nmax ? nmax : l;
    const diff = scale * l + lo - v;
    best += (weights[i] as number) * diff * diff;
  }
  // As in ggml, each trial's grid starts at the best min found so far, not at the range's low end.
  let step = 0;
  while (step <= nstep) {
    const grid = min;
    const invA = (rmin + rdelta * step + nmax) / (hi - grid);
    const invB = (rmin + rdelta * (step + 1) + nmax) / (hi - grid);
    let sumLA = 0;
    let sumL2A = 0;
    let sumXLA = 0;
    let sumLB = 0;
    let sumL2B = 0;
    let sumXLB = 0;
    for (let i = 0; i < SUB; i++) {
      const v = xs[i] as number;
      const w = weights[i] as number;
      const u = v - grid;
      let la = invA * u + ROUNDER - ROUNDER;
      la = la < 0 ? 0 : la > nmax ? nmax : la;
      let lb = invB * u + ROUNDER - ROUNDER;
      lb = lb < 0 ? 0 : lb > nmax ? nmax : lb;
      const wla = w * la;
      const wlb = w * lb;
      sumLA += wla;
      sumL2A += wla * la;
      sumXLA += wla * v;
      sumLB += wlb;
      sumL2B += wlb * lb;
      sumXLB += wlb * v;
    }
    for (let t = 0; t < 2 && step <= nstep && min === grid; t++, step++) {
      const sumL = t === 0 ? sumLA : sumLB;
      const sumL2 = t === 0 ? sumL2A : sumL2B;
      const sumXL = t === 0 ? sumXLA : sumXLB;
      const det = sumW * sumL2 - sumL * sumL;
      if (det <= 0) continue;
      let s = (sumW * sumXL - sumX * sumL) / det;
      let m = (sumL2 * sumX - sumL * sumXL) / det;
      if (m > 0) {
        m = 0;
        s = sumXL / sumL2;
      }
      const err = s * s * sumL2 + 2 * s * m * sumL - 2 * s * sumXL + m * m * sumW - 2 * m * sumX + sumWX2;
      if (err < best) {
        grids.inv[g] = t === 0 ? invA : invB;
        grids.offset[g] = grid;
        best = err;
        scale = s;
        min = m;
      }
    }
  }
  mins[g] = -min;
  return scale;
}

/**
 * The 12 scale bytes of Q4_K and Q5_K: eight 6-bit scales and eight 6-bit mins, the first four
 * of each whole in the low bits, the last four split into nibbles with their top bits above the first.
 */
function packScales(scales: Uint8Array, mins: Uint8Array, out: Buffer, o: number): void {
  for (let j = 0; j < 4; j++) {
    out[o + j] = (scales[j] as number) | (((scales[j + 4] as number) >> 4) << 6);
    out[o + j + 4] = (mins[j] as number) | (((mins[j + 4] as number) >> 4) << 6);
    out[o + j + 8] = ((scales[j + 4] as number) & 0xf) | (((mins[j + 4] as number) & 0xf) << 4);
  }
}

function unpackScale(q: Buffer, o: number, j: number): { sc: number; m: number } {
  if (j < 4) return { sc: (q[o + j] as number) & 63, m: (q[o + j + 4] as number) & 63 };
  const b = q[o + j + 4] as number;
  return {
    sc: (b & 0xf) | (((q[o + j - 4] as number) >> 6) << 4),
    m: (b >> 4) | (((q[o + j] as number) >> 6) << 4),
  };
}

/**
 * One super-block of Q4_K (nmax 15) or Q5_K (nmax 31): per 32-value group a fitted scale and min,
 * both quantized to 6 bits against the block's largest (stored as fp16 d and dmin), then every
 * value re-quantized against the stored scales. Writes d, dmin, the scales; returns the levels.
 */
function superBlockLevels(
  x: Float32Array,
  at: number,
  nmax: number,
  search: { rmin: number; nstep: number },
  out: Buffer,
  o: number,
): Uint8Array {
  const { levels, scales, mins, ls, lm } = scratch;
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < QK_K / SUB; j++) {
    const scale = fitScaleMin(j, x, at + j * SUB, nmax, search, mins);
    scales[j] = scale;
    maxScale = Math.max(maxScale, scale);
    maxMin = Math.max(maxMin, mins[j] as number);
  }
  const invScale = maxScale > 0 ? 63 / maxScale : 0;
  const invMin = maxMin > 0 ? 63 / maxMin : 0;
  for (let j = 0; j < QK_K / SUB; j++) {
    ls[j] = Math.min(63, nearestEven(invScale * (scales[j] as number)));
    lm[j] = Math.min(63, nearestEven(invMin * (mins[j] as number)));
  }
  out.writeUInt16LE(f32ToF16(maxScale / 63), o);
  out.writeUInt16LE(f32ToF16(maxMin / 63), o + 2);
  packScales(ls, lm, out, o + 4);
  const d = viaF16(maxScale / 63);
  const dmin = viaF16(maxMin / 63);
  const range = { lowest: 0, highest: nmax, bias: 0 };
  for (let j = 0; j < QK_K / SUB; j++) {
    const step = d * (ls[j] as number);
    if (step === 0) {
      gridLevels(j, x, at + j * SUB, SUB, range, levels, j * SUB);
      continue;
    }
    const shift = dmin * (lm[j] as number);
    for (let i = 0; i < SUB; i++) {
      const v = x[at + j * SUB + i] as number;
      let l = (v + shift) / step + ROUNDER - ROUNDER;
      l = l < 0 ? 0 : l > nmax ? nmax : l;
      levels[j * SUB + i] = l;
    }
  }
  return levels;
}

/** Q4_K: { fp16 d, dmin; u8 scales[12]; u8 qs[128] }, 144 bytes per 256 values. */
export function quantizeQ4_K(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, QK_K, "Q4_K");
  let o = outOffset;
  for (let b = 0; b < src.length; b += QK_K, o += 144) {
    const L = superBlockLevels(src, b, 15, { rmin: -1, nstep: 20 }, out, o);
    // each 64-value chunk: 32 bytes, the first 32 values low nibbles, the next 32 high
    for (let c = 0; c < QK_K / 64; c++) {
      for (let l = 0; l < 32; l++)
        out[o + 16 + c * 32 + l] = (L[c * 64 + l] as number) | ((L[c * 64 + 32 + l] as number) << 4);
    }
  }
  return o - outOffset;
}

/** Q5_K: { fp16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128] }, 176 bytes per 256 values. */
export function quantizeQ5_K(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, QK_K, "Q5_K");
  let o = outOffset;
  for (let b = 0; b < src.length; b += QK_K, o += 176) {
    const L = superBlockLevels(src, b, 31, { rmin: -0.5, nstep: 15 }, out, o);
    out.fill(0, o + 16, o + 48);
    for (let c = 0; c < QK_K / 64; c++) {
      for (let l = 0; l < 32; l++) {
        const a = L[c * 64 + l] as number;
        const z = L[c * 64 + 32 + l] as number;
        // the fifth bits: bit 2c of qh[l] for the first half of the chunk, 2c + 1 for the second
        out[o + 16 + l] = (out[o + 16 + l] as number) | ((a >> 4) << (2 * c)) | ((z >> 4) << (2 * c + 1));
        out[o + 48 + c * 32 + l] = (a & 0xf) | ((z & 0xf) << 4);
      }
    }
  }
  return o - outOffset;
}

/**
 * Best symmetric scale for group `g`, 16 values on levels [-32, 31], weighting errors by x^2 and
 * trying 18 nudged scales beside the plain one (ggml's make_qx_quants, rmse_type 1). Its grid goes
 * into `grids` (levels written with 32 added).
 */
function fitSymmetric(g: number, x: Float32Array, at: number): number {
  const n = 16;
  const nmax = 32;
  const { xs, weights, weightedXs } = scratch;
  for (let i = 0; i < n; i++) {
    const v = x[at + i] as number;
    xs[i] = v;
    weights[i] = v * v;
    weightedXs[i] = v * v * v;
  }
  const max = signedMax(xs, 0, n);
  grids.offset[g] = 0;
  if (Math.abs(max) < 1e-15) {
    grids.inv[g] = 0;
    return 0;
  }
  let scale = 0;
  let best = 0;
  // Step 0 (the plain scale) first and always taken; then the nudged ones when they fit better.
  // Two trials are summed per pass (one load of each value, two independent chains of additions),
  // and judged in order, so the result is the one trial at a time would give. The weights (x^2)
  // and x^3 come from before the trials, and level() and nearestEven() are written out (V8 had
  // stopped inlining them here).
  for (let k = 0; k < SYMMETRIC_STEPS.length; k += 2) {
    const invA = -(nmax + 0.1 * (SYMMETRIC_STEPS[k] as number)) / max;
    const invB = -(nmax + 0.1 * (SYMMETRIC_STEPS[k + 1] ?? 0)) / max;
    let sumLXA = 0;
    let sumL2A = 0;
    let sumLXB = 0;
    let sumL2B = 0;
    for (let i = 0; i < n; i++) {
      const v = xs[i] as number;
      const w = weights[i] as number;
      const wx = weightedXs[i] as number;
      let la = invA * v + ROUNDER - ROUNDER;
      la = la < -nmax ? -nmax : la > nmax - 1 ? nmax - 1 : la;
      let lb = invB * v + ROUNDER - ROUNDER;
      lb = lb < -nmax ? -nmax : lb > nmax - 1 ? nmax - 1 : lb;
      sumLXA += wx * la;
      sumL2A += w * la * la;
      sumLXB += wx * lb;
      sumL2B += w * lb * lb;
    }
    for (let t = 0; t < 2 && k + t < SYMMETRIC_STEPS.length; t++) {
      const sumLX = t === 0 ? sumLXA : sumLXB;
      const sumL2 = t === 0 ? sumL2A : sumL2B;
      if (k + t === 0 || (sumL2 > 0 && sumLX * sumLX > best * sumL2)) {
        grids.inv[g] = t === 0 ? invA : invB;
        scale = sumL2 ? sumLX / sumL2 : 0;
        best = scale * sumLX;
      }
    }
  }
  return scale;
}

const SYMMETRIC_STEPS = [0, -9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const SYMMETRIC_RANGE = { lowest: -32, highest: 31, bias: 32 };

/** Q6_K: { u8 ql[128]; u8 qh[64]; i8 scales[16]; fp16 d }, 210 bytes per 256 values. */
export function quantizeQ6_K(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, QK_K, "Q6_K");
  const L = new Uint8Array(QK_K);
  const scales = new Float64Array(16);
  let o = outOffset;
  for (let b = 0; b < src.length; b += QK_K, o += 210) {
    for (let g = 0; g < 16; g++) scales[g] = fitSymmetric(g, src, b + g * 16);
    const maxScale = signedMax(scales, 0, 16);
    if (Math.abs(maxScale) < 1e-15) {
      out.fill(0, o, o + 210);
      continue;
    }
    const inv = -128 / maxScale;
    out.writeUInt16LE(f32ToF16(1 / inv), o + 208);
    const d = viaF16(1 / inv);
    for (let g = 0; g < 16; g++) {
      const q = Math.min(127, nearestEven(inv * (scales[g] as number)));
      out.writeInt8(q, o + 192 + g);
      const step = d * q;
      if (step === 0) {
        gridLevels(g, src, b + g * 16, 16, SYMMETRIC_RANGE, L, g * 16);
        continue;
      }
      for (let i = 0; i < 16; i++) {
        let l = (src[b + g * 16 + i] as number) / step + ROUNDER - ROUNDER;
        l = l < -32 ? -32 : l > 31 ? 31 : l;
        L[g * 16 + i] = 32 + l;
      }
    }
    // per 128 values: ql holds low nibbles (values l and l+64 in one byte, l+32 and l+96 in
    // another), qh the top two bits of the four values l, l+32, l+64, l+96
    for (let h = 0; h < 2; h++) {
      const base = h * 128;
      for (let l = 0; l < 32; l++) {
        const q1 = L[base + l] as number;
        const q2 = L[base + l + 32] as number;
        const q3 = L[base + l + 64] as number;
        const q4 = L[base + l + 96] as number;
        out[o + h * 64 + l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
        out[o + h * 64 + l + 32] = (q2 & 0xf) | ((q4 & 0xf) << 4);
        out[o + 128 + h * 32 + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
      }
    }
  }
  return o - outOffset;
}

/** Q5_0: { fp16 d; u32 qh; u8 qs[16] }, 22 bytes per 32 values; the largest magnitude maps to -16. */
export function quantizeQ5_0(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, SUB, "Q5_0");
  let o = outOffset;
  for (let b = 0; b < src.length; b += SUB, o += 22) {
    const d = Math.fround(signedMax(src, b, SUB) / -16);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    out.writeUInt16LE(f32ToF16(d), o);
    let qh = 0;
    for (let j = 0; j < SUB / 2; j++) {
      const q0 = Math.min(31, Math.trunc(Math.fround(Math.fround((src[b + j] as number) * id) + 16.5)));
      const q1 = Math.min(31, Math.trunc(Math.fround(Math.fround((src[b + 16 + j] as number) * id) + 16.5)));
      out[o + 6 + j] = (q0 & 0xf) | ((q1 & 0xf) << 4);
      qh |= ((q0 >> 4) << j) | ((q1 >> 4) << (j + 16));
    }
    out.writeUInt32LE(qh >>> 0, o + 2);
  }
  return o - outOffset;
}

/** Q5_1: { fp16 d, m; u32 qh; u8 qs[16] }, 24 bytes per 32 values over [min, max]. */
export function quantizeQ5_1(src: Float32Array, out: Buffer, outOffset = 0): number {
  checkBlocks(src, SUB, "Q5_1");
  let o = outOffset;
  for (let b = 0; b < src.length; b += SUB, o += 24) {
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < SUB; j++) {
      const v = src[b + j] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = Math.fround((max - min) / 31);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    out.writeUInt16LE(f32ToF16(d), o);
    out.writeUInt16LE(f32ToF16(min), o + 2);
    let qh = 0;
    for (let j = 0; j < SUB / 2; j++) {
      const q0 = Math.min(31, Math.trunc(Math.fround(((src[b + j] as number) - min) * id) + 0.5));
      const q1 = Math.min(31, Math.trunc(Math.fround(((src[b + 16 + j] as number) - min) * id) + 0.5));
      out[o + 8 + j] = (q0 & 0xf) | ((q1 & 0xf) << 4);
      qh |= ((q0 >> 4) << j) | ((q1 >> 4) << (j + 16));
    }
    out.writeUInt32LE(qh >>> 0, o + 4);
  }
  return o - outOffset;
}

/** Q4_K and Q5_K blocks: d, dmin, packed 6-bit scales and mins, Q5_K's fifth bits, then the nibbles. */
function dequantizeScaleMin(src: Buffer, count: number, fifthBit: boolean): Float32Array {
  const out = new Float32Array(count);
  const size = fifthBit ? 176 : 144;
  const nibbles = fifthBit ? 48 : 16;
  for (let b = 0, o = 0; b < count; b += QK_K, o += size) {
    const d = f16ToF32(src.readUInt16LE(o));
    const dmin = f16ToF32(src.readUInt16LE(o + 2));
    for (let c = 0; c < 4; c++) {
      const lo = unpackScale(src, o + 4, 2 * c);
      const hi = unpackScale(src, o + 4, 2 * c + 1);
      for (let l = 0; l < 32; l++) {
        const q = src[o + nibbles + c * 32 + l] as number;
        const h = fifthBit ? (src[o + 16 + l] as number) : 0;
        const a = (q & 0xf) + (((h >> (2 * c)) & 1) << 4);
        const z = (q >> 4) + (((h >> (2 * c + 1)) & 1) << 4);
        out[b + c * 64 + l] = d * lo.sc * a - dmin * lo.m;
        out[b + c * 64 + 32 + l] = d * hi.sc * z - dmin * hi.m;
      }
    }
  }
  return out;
}

export function dequantizeQ4_K(src: Buffer, count: number): Float32Array {
  return dequantizeScaleMin(src, count, false);
}

export function dequantizeQ5_K(src: Buffer, count: number): Float32Array {
  return dequantizeScaleMin(src, count, true);
}

export function dequantizeQ6_K(src: Buffer, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let b = 0, o = 0; b < count; b += QK_K, o += 210) {
    const d = f16ToF32(src.readUInt16LE(o + 208));
    for (let h = 0; h < 2; h++) {
      for (let l = 0; l < 32; l++) {
        const lo1 = src[o + h * 64 + l] as number;
        const lo2 = src[o + h * 64 + l + 32] as number;
        const hb = src[o + 128 + h * 32 + l] as number;
        const qs = [
          (lo1 & 0xf) | ((hb & 3) << 4),
          (lo2 & 0xf) | (((hb >> 2) & 3) << 4),
          (lo1 >> 4) | (((hb >> 4) & 3) << 4),
          (lo2 >> 4) | (((hb >> 6) & 3) << 4),
        ];
        for (let k = 0; k < 4; k++) {
          const at = h * 128 + k * 32 + l;
          out[b + at] = d * src.readInt8(o + 192 + Math.floor(at / 16)) * ((qs[k] as number) - 32);
        }
      }
    }
  }
  return out;
}

/** Q5_0 and Q5_1 blocks: fp16 d (and m), 32 fifth bits, 16 bytes of nibbles; Q5_0 is centred on 16. */
function dequantize5(src: Buffer, count: number, withMin: boolean): Float32Array {
  const out = new Float32Array(count);
  const size = withMin ? 24 : 22;
  for (let b = 0, o = 0; b < count; b += SUB, o += size) {
    const d = f16ToF32(src.readUInt16LE(o));
    const m = withMin ? f16ToF32(src.readUInt16LE(o + 2)) : -16 * d;
    const qh = src.readUInt32LE(o + size - 20);
    for (let j = 0; j < 16; j++) {
      const q = src[o + size - 16 + j] as number;
      out[b + j] = d * ((q & 0xf) | (((qh >>> j) & 1) << 4)) + m;
      out[b + 16 + j] = d * ((q >> 4) | (((qh >>> (j + 16)) & 1) << 4)) + m;
    }
  }
  return out;
}

export function dequantizeQ5_0(src: Buffer, count: number): Float32Array {
  return dequantize5(src, count, false);
}

export function dequantizeQ5_1(src: Buffer, count: number): Float32Array {
  return dequantize5(src, count, true);
}
