// A small seeded PRNG. Random weights only need to be reproducible and cheap: a 0.5B model draws
// ~500M numbers, so this avoids Math.random (unseedable) and any per-call allocation.

/** FNV-1a, to derive independent per-tensor seeds from names. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: 32-bit state, passes the usual statistical batteries well enough for weights. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Fills `out` with zero-mean values of standard deviation `std`. Uniform rather than normal:
   * same scale, bounded (no outliers to blow up activations), and several times faster to draw.
   */
  fillUniform(out: Float32Array, std: number): void {
    const a = std * Math.sqrt(3) * 2;
    const half = a / 2;
    for (let i = 0; i < out.length; i++) out[i] = this.next() * a - half;
  }
}
