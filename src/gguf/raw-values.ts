/**
 * A tensor chunk as it lies in a source file (F32, F16 or BF16 bytes), so that turning it into
 * float32 can happen on the thread that encodes it rather than on the one reading the file.
 */
import { f16ToF32 } from "./fp16.js";
import { GgmlType } from "./types.js";

export type RawType = typeof GgmlType.F32 | typeof GgmlType.F16 | typeof GgmlType.BF16;

export interface RawValues {
  readonly type: RawType;
  /** Little-endian values (every platform node-llama-cpp ships for is little-endian). */
  readonly bytes: Uint8Array;
}

export const rawWidth: Record<RawType, number> = {
  [GgmlType.F32]: 4,
  [GgmlType.F16]: 2,
  [GgmlType.BF16]: 2,
};

export function isRawType(type: number): type is RawType {
  return Object.hasOwn(rawWidth, type);
}

/** How many values `raw` holds. */
export function rawCount(raw: RawValues): number {
  return raw.bytes.byteLength / rawWidth[raw.type];
}

export function isRawValues(src: Float32Array | RawValues): src is RawValues {
  return !(src instanceof Float32Array);
}

let halfTable: Float32Array | undefined;

/** Every F16 bit pattern's value: one lookup per element instead of the bit arithmetic. */
function halves(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = f16ToF32(h);
  }
  return halfTable;
}

/**
 * The values of `raw` as float32: in `into` when it has room for them (the part they fill is
 * returned, `into` itself when they fill it), or else in a new array.
 */
export function rawToF32(raw: RawValues, into?: Float32Array): Float32Array {
  const { bytes } = raw;
  const n = rawCount(raw);
  const dest =
    !into || into.length < n ? new Float32Array(n) : into.length === n ? into : into.subarray(0, n);
  if (raw.type === GgmlType.F32) {
    // a copy first when the bytes are not 4-aligned (a Buffer from Node's pool can start anywhere)
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    dest.set(new Float32Array(aligned.buffer, aligned.byteOffset, n));
    return dest;
  }
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const h = new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  if (raw.type === GgmlType.F16) {
    const table = halves();
    for (let i = 0; i < n; i++) dest[i] = table[h[i] as number] as number;
  } else {
    // BF16 is the top half of a float32.
    const bits = new Uint32Array(dest.buffer, dest.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = (h[i] as number) << 16;
  }
  return dest;
}
