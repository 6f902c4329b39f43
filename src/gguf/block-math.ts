// Arithmetic shared by the block encoders (quant.ts, kquant.ts), as ggml's quantizers do it.

/** 1.5 * 2^52: adding and subtracting it makes the FPU round a double to an integer, halves to even. */
const ROUNDER = 6755399441055744;

/**
 * ggml's nearest_int: halves to even (for |v| < 2^51). One add and subtract, without a branch on
 * the sign: several times faster in V8 than Math.round behind a sign test, on random-signed weights.
 */
export function nearestEven(v: number): number {
  return v + ROUNDER - ROUNDER;
}

/** C roundf: halves away from zero (Math.round sends -2.5 to -2). */
export function roundAway(v: number): number {
  const r = v + ROUNDER - ROUNDER;
  if (r - v !== 0.5 && v - r !== 0.5) return r;
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** The first of `values[at..at+n)` with the largest magnitude, sign kept (0 when all are 0). */
export function signedMax(values: ArrayLike<number>, at: number, n: number): number {
  let amax = 0;
  let max = 0;
  for (let i = at; i < at + n; i++) {
    const v = values[i] as number;
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

/** Throws unless `src` is a whole number of `block`-value blocks of type `name`. */
export function checkBlocks(src: Float32Array, block: number, name: string): void {
  if (src.length % block !== 0)
    throw new Error(`${name} needs a multiple of ${block} values, got ${src.length}`);
}
