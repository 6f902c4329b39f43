// GGUF v3 writer. The header (metadata + tensor infos) is built in memory; tensor data is
// produced chunk by chunk from a fill callback, encoded and streamed to disk, so writing a
// 500 MB model needs only a few MB of memory.

import { open, rename, rm } from "node:fs/promises";
import { alignUp } from "./reader.js";
import { encodeToBuffer, encodedSize, isWritableType, type WritableType } from "./quant.js";
import type { RawValues } from "./raw-values.js";
import { GgufValueType, ggmlTypeLayout, isGgufArray, type GgufTypedValue, type GgufValue } from "./types.js";

export interface TensorToWrite {
  readonly name: string;
  /** ggml order: shape[0] is the innermost dimension (a row). */
  readonly shape: readonly number[];
  readonly type: WritableType;
  /**
   * Fills `out` with the float32 values of elements [start, start + out.length). Called with
   * consecutive ranges; each range is a whole number of rows.
   */
  readonly fill: (out: Float32Array, start: number) => void;
  /**
   * Optional: elements [start, start + count) as they lie in a source file, in a buffer of their
   * own. With an `encoder`, used instead of `fill`, so that the encoder's thread decodes them.
   */
  readonly raw?: (start: number, count: number) => RawValues;
}

export interface WriteGgufOptions {
  /** Key order is kept. `general.alignment`, if given, sets the alignment. */
  readonly metadata: Record<string, GgufTypedValue>;
  readonly tensors: readonly TensorToWrite[];
  /** Values per fill call, rounded to whole rows (default 1M). */
  readonly chunkElements?: number;
  /**
   * Encodes chunks elsewhere (a worker pool), up to `inFlight` at once across tensors; each chunk's
   * array is handed over. Default: encoded here, one chunk at a time.
   */
  readonly encoder?: ChunkEncoder;
}

/** Encodes chunks elsewhere: a worker pool (src/gguf/encode-pool.ts) is one. */
export interface ChunkEncoder {
  encode(type: WritableType, src: Float32Array | RawValues): Promise<Buffer>;
  /** Chunks to keep in flight at once, across tensors. */
  readonly inFlight: number;
  /** Takes back an encoded chunk once it is written, to reuse its memory. Default: none. */
  release?(encoded: Buffer): void;
}

class ByteSink {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  num(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    write(b);
    this.push(b);
  }
  u32(v: number): void {
    this.num(4, (b) => b.writeUInt32LE(v));
  }
  u64(v: number | bigint): void {
    this.num(8, (b) => b.writeBigUInt64LE(BigInt(v)));
  }
  str(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  concat(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function expectNumber(v: GgufValue, type: GgufValueType): number {
  if (typeof v !== "number") throw new Error(`GGUF type ${type} needs a number, got ${typeof v}`);
  return v;
}

function writeValue(s: ByteSink, type: GgufValueType, v: GgufValue): void {
  switch (type) {
    case GgufValueType.UINT8:
      return s.num(1, (b) => b.writeUInt8(expectNumber(v, type)));
    case GgufValueType.INT8:
      return s.num(1, (b) => b.writeInt8(expectNumber(v, type)));
    case GgufValueType.UINT16:
      return s.num(2, (b) => b.writeUInt16LE(expectNumber(v, type)));
    case GgufValueType.INT16:
      return s.num(2, (b) => b.writeInt16LE(expectNumber(v, type)));
    case GgufValueType.UINT32:
      return s.num(4, (b) => b.writeUInt32LE(expectNumber(v, type)));
    case GgufValueType.INT32:
      return s.num(4, (b) => b.writeInt32LE(expectNumber(v, type)));
    case GgufValueType.FLOAT32:
      return s.num(4, (b) => b.writeFloatLE(expectNumber(v, type)));
    case GgufValueType.FLOAT64:
      return s.num(8, (b) => b.writeDoubleLE(expectNumber(v, type)));
    case GgufValueType.UINT64:
    case GgufValueType.INT64:
      if (typeof v !== "number" && typeof v !== "bigint")
        throw new Error("64-bit GGUF value needs a number or bigint");
      return s.num(8, (b) =>
        type === GgufValueType.UINT64 ? b.writeBigUInt64LE(BigInt(v)) : b.writeBigInt64LE(BigInt(v)),
      );
    case GgufValueType.BOOL:
      if (typeof v !== "boolean") throw new Error("GGUF bool needs a boolean");
      return s.num(1, (b) => b.writeUInt8(v ? 1 : 0));
    case GgufValueType.STRING:
      if (typeof v !== "string") throw new Error("GGUF string needs a string");
      return s.str(v);
    case GgufValueType.ARRAY: {
      if (!isGgufArray(v) || v.values === undefined)
        throw new Error("GGUF array needs an array with its values");
      s.u32(v.elementType);
      s.u64(v.values.length);
      for (const e of v.values) writeValue(s, v.elementType, e);
      return;
    }
    default:
      throw new Error(`invalid GGUF value type ${String(type)}`);
  }
}

interface Placed {
  readonly tensor: TensorToWrite;
  readonly elements: number;
  readonly offset: number;
  readonly size: number;
}

function placeTensors(tensors: readonly TensorToWrite[], alignment: number): Placed[] {
  let offset = 0;
  const seen = new Set<string>();
  return tensors.map((tensor) => {
    if (seen.has(tensor.name)) throw new Error(`duplicate tensor ${tensor.name}`);
    seen.add(tensor.name);
    if (!isWritableType(tensor.type)) throw new Error(`cannot write tensor type ${String(tensor.type)}`);
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    const row = tensor.shape[0] ?? 1;
    const block = ggmlTypeLayout(tensor.type)?.blockSize ?? 1;
    if (row % block !== 0)
      throw new Error(`tensor ${tensor.name}: row of ${row} is not a multiple of ${block}`);
    const size = encodedSize(tensor.type, elements);
    const placed = { tensor, elements, offset, size };
    offset = alignUp(offset + size, alignment);
    return placed;
  });
}

function buildHeader(opts: WriteGgufOptions, placed: Placed[], alignment: number): Buffer {
  const s = new ByteSink();
  s.u32(0x46554747);
  s.u32(3);
  s.u64(placed.length);
  const entries = Object.entries(opts.metadata);
  s.u64(entries.length);
  for (const [key, { type, value }] of entries) {
    s.str(key);
    s.u32(type);
    writeValue(s, type, value);
  }
  for (const p of placed) {
    s.str(p.tensor.name);
    s.u32(p.tensor.shape.length);
    for (const d of p.tensor.shape) s.u64(d);
    s.u32(p.tensor.type);
    s.u64(p.offset);
  }
  const header = s.concat();
  return Buffer.concat([header, Buffer.alloc(alignUp(header.length, alignment) - header.length)]);
}

/** Writes a GGUF v3 file atomically (to a temporary name, then renamed). */
export async function writeGguf(path: string, opts: WriteGgufOptions): Promise<void> {
  const alignEntry = opts.metadata["general.alignment"];
  const alignment = alignEntry && typeof alignEntry.value === "number" ? alignEntry.value : 32;
  const placed = placeTensors(opts.tensors, alignment);
  const header = buildHeader(opts, placed, alignment);
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, "w");
  const writes = new WriteQueue(opts.encoder?.inFlight ?? 1);
  try {
    await fh.write(header, 0, header.length, 0);
    const chunkElements = opts.chunkElements ?? 1 << 20;
    for (const p of placed) {
      let pos = header.length + p.offset;
      for (const range of ranges(p, chunkElements)) {
        const at = pos;
        pos += encodedSize(p.tensor.type, range.count);
        const encoded = opts.encoder
          ? opts.encoder.encode(p.tensor.type, p.tensor.raw?.(range.start, range.count) ?? filled(p, range))
          : Promise.resolve(encodeToBuffer(p.tensor.type, filled(p, range)));
        await writes.add(
          encoded.then(async (b) => {
            await fh.write(b, 0, b.length, at);
            opts.encoder?.release?.(b);
          }),
        );
      }
      // zero padding up to the next tensor (or the end) keeps the file a whole number of alignments
      const pad = alignUp(p.size, alignment) - p.size;
      if (pad > 0) await writes.add(fh.write(Buffer.alloc(pad), 0, pad, pos).then(() => undefined));
    }
    await writes.drain();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await writes.drain().catch(() => undefined);
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A tensor's element ranges, a whole number of rows each. */
function* ranges(p: Placed, chunkElements: number): Generator<{ start: number; count: number }> {
  const row = p.tensor.shape[0] ?? 1;
  const perChunk = Math.max(1, Math.floor(chunkElements / row)) * row;
  for (let start = 0; start < p.elements; start += perChunk) {
    yield { start, count: Math.min(perChunk, p.elements - start) };
  }
}

/** A range's values from the tensor's fill, in a fresh array (it may be handed to another thread). */
function filled(p: Placed, range: { start: number; count: number }): Float32Array {
  const chunk = new Float32Array(range.count);
  p.tensor.fill(chunk, range.start);
  return chunk;
}

/**
 * At most `limit` writes pending; `add` waits, when full, for whichever finishes first (each write
 * has its own offset, so they may land in any order: a slow chunk at the front no longer holds
 * the window while the chunks behind it are done). A failure is rethrown by the next add or drain.
 */
class WriteQueue {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  constructor(private readonly limit: number) {}

  async add(write: Promise<void>): Promise<void> {
    const tracked: Promise<void> = write.then(
      () => void this.pending.delete(tracked),
      (error: unknown) => {
        this.pending.delete(tracked);
        this.failure ??= { error };
      },
    );
    this.pending.add(tracked);
    while (this.pending.size >= this.limit && !this.failure) await Promise.race(this.pending);
    this.rethrow();
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
