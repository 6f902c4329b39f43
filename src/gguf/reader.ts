// GGUF reader: header, metadata and tensor infos, read through a buffered file handle. Tensor
// data is never touched; long arrays can be skipped (kept as length + element type only).

import { open } from "node:fs/promises";
import { BufferedReader } from "./buffered.js";
import {
  GgufValueType,
  ggmlTypeLayout,
  ggufValueSize,
  type GgufArray,
  type GgufValue,
  type GgufTypedValue,
} from "./types.js";

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const DEFAULT_ALIGNMENT = 32;

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: shape[0] is the innermost (contiguous) dimension. */
  readonly shape: number[];
  /** ggml type number; see `ggmlTypeName`. */
  readonly type: number;
  /** Offset of the data relative to `dataOffset`. */
  readonly offset: number;
  readonly elements: number;
  /** Bytes of data; undefined for a tensor type this reader does not know. */
  readonly size: number | undefined;
}

export interface GgufFile {
  readonly version: number;
  /** Metadata in file order. Float32 values hold the shortest decimal that round-trips. */
  readonly metadata: Record<string, GgufValue>;
  /** On-disk type of each metadata key (with `metadata`, enough to write the key back). */
  readonly metadataTypes: Record<string, GgufValueType>;
  readonly tensors: GgufTensorInfo[];
  readonly alignment: number;
  /** Absolute file offset where tensor data starts. */
  readonly dataOffset: number;
  readonly fileSize: number;
}

export interface ReadGgufOptions {
  /**
   * Arrays longer than this are skipped: their `values` stay undefined. Default: keep all.
   * Ollama's /api/show (not verbose) passes 0.
   */
  maxArrayLength?: number;
  /** Skip reading tensor infos (faster when only metadata is wanted). */
  skipTensors?: boolean;
}

export async function readGguf(path: string, opts: ReadGgufOptions = {}): Promise<GgufFile> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    return await parse(new BufferedReader(fh, size), opts);
  } finally {
    await fh.close();
  }
}

async function parse(r: BufferedReader, opts: ReadGgufOptions): Promise<GgufFile> {
  const magic = await r.u32();
  if (magic !== GGUF_MAGIC) throw new Error("not a GGUF file (bad magic)");
  const version = await r.u32();
  if (version !== 2 && version !== 3) throw new Error(`unsupported GGUF version ${version}`);
  const tensorCount = await r.size("tensor count");
  const kvCount = await r.size("metadata count");

  const maxLen = opts.maxArrayLength ?? Infinity;
  const metadata: Record<string, GgufValue> = {};
  const metadataTypes: Record<string, GgufValueType> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = await readString(r);
    const type = (await r.u32()) as GgufValueType;
    metadata[key] = await readValue(r, type, maxLen);
    metadataTypes[key] = type;
  }

  const alignValue = metadata["general.alignment"];
  const alignment = typeof alignValue === "number" ? alignValue : DEFAULT_ALIGNMENT;
  if (alignment <= 0 || !Number.isInteger(alignment)) throw new Error(`invalid GGUF alignment ${alignment}`);

  const tensors: GgufTensorInfo[] = [];
  if (opts.skipTensors) {
    return { version, metadata, metadataTypes, tensors, alignment, dataOffset: -1, fileSize: r.fileSize };
  }
  for (let i = 0; i < tensorCount; i++) tensors.push(await readTensorInfo(r));
  const dataOffset = alignUp(r.offset, alignment);
  return { version, metadata, metadataTypes, tensors, alignment, dataOffset, fileSize: r.fileSize };
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

async function readString(r: BufferedReader): Promise<string> {
  return r.utf8(await r.size("string length"));
}

function toNumberIfSafe(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** The shortest decimal that reads back as the same float32 (what Go's JSON prints for float32). */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}

async function readValue(r: BufferedReader, type: GgufValueType, maxLen: number): Promise<GgufValue> {
  switch (type) {
    case GgufValueType.UINT8:
      return r.u8();
    case GgufValueType.INT8:
      return r.i8();
    case GgufValueType.UINT16:
      return r.u16();
    case GgufValueType.INT16:
      return r.i16();
    case GgufValueType.UINT32:
      return r.u32();
    case GgufValueType.INT32:
      return r.i32();
    case GgufValueType.FLOAT32:
      return shortestFloat32(await r.f32());
    case GgufValueType.BOOL:
      return (await r.u8()) !== 0;
    case GgufValueType.STRING:
      return readString(r);
    case GgufValueType.UINT64:
      return toNumberIfSafe(await r.u64());
    case GgufValueType.INT64:
      return toNumberIfSafe(await r.i64());
    case GgufValueType.FLOAT64:
      return r.f64();
    case GgufValueType.ARRAY:
      return readArray(r, maxLen);
    default:
      throw new Error(`invalid GGUF value type ${String(type)} at offset ${r.offset}`);
  }
}

async function readArray(r: BufferedReader, maxLen: number): Promise<GgufArray> {
  const elementType = (await r.u32()) as GgufValueType;
  const length = await r.size("array length");
  if (length > maxLen) {
    await skipArrayValues(r, elementType, length);
    return { kind: "array", elementType, length, values: undefined };
  }
  const values = await readArrayValues(r, elementType, length, maxLen);
  return { kind: "array", elementType, length, values };
}

const FIXED_READERS: Partial<Record<GgufValueType, (b: Buffer, o: number) => GgufValue>> = {
  [GgufValueType.UINT8]: (b, o) => b.readUInt8(o),
  [GgufValueType.INT8]: (b, o) => b.readInt8(o),
  [GgufValueType.UINT16]: (b, o) => b.readUInt16LE(o),
  [GgufValueType.INT16]: (b, o) => b.readInt16LE(o),
  [GgufValueType.UINT32]: (b, o) => b.readUInt32LE(o),
  [GgufValueType.INT32]: (b, o) => b.readInt32LE(o),
  [GgufValueType.FLOAT32]: (b, o) => shortestFloat32(b.readFloatLE(o)),
  [GgufValueType.BOOL]: (b, o) => b.readUInt8(o) !== 0,
  [GgufValueType.UINT64]: (b, o) => toNumberIfSafe(b.readBigUInt64LE(o)),
  [GgufValueType.INT64]: (b, o) => toNumberIfSafe(b.readBigInt64LE(o)),
  [GgufValueType.FLOAT64]: (b, o) => b.readDoubleLE(o),
};

async function readArrayValues(
  r: BufferedReader,
  elementType: GgufValueType,
  length: number,
  maxLen: number,
): Promise<GgufValue[]> {
  if (elementType === GgufValueType.STRING) return (await r.strings(length, true)) ?? [];
  const fixed = FIXED_READERS[elementType];
  const size = ggufValueSize(elementType);
  if (fixed && size !== undefined) return r.fixed(length, size, fixed);
  const values = new Array<GgufValue>(length);
  for (let i = 0; i < length; i++) values[i] = await readValue(r, elementType, maxLen);
  return values;
}

async function skipArrayValues(r: BufferedReader, elementType: GgufValueType, length: number): Promise<void> {
  const fixed = ggufValueSize(elementType);
  if (fixed !== undefined) return r.skip(fixed * length);
  if (elementType === GgufValueType.STRING) {
    await r.strings(length, false);
    return;
  }
  if (elementType !== GgufValueType.ARRAY)
    throw new Error(`invalid GGUF array element type ${String(elementType)}`);
  for (let i = 0; i < length; i++) await readArray(r, -1);
}

async function readTensorInfo(r: BufferedReader): Promise<GgufTensorInfo> {
  const name = await readString(r);
  const nDims = await r.u32();
  if (nDims > 4) throw new Error(`tensor ${name} has ${nDims} dimensions (max 4)`);
  const shape: number[] = [];
  for (let d = 0; d < nDims; d++) shape.push(await r.size("tensor dimension"));
  const type = await r.u32();
  const offset = await r.size("tensor offset");
  const elements = shape.reduce((a, b) => a * b, 1);
  const layout = ggmlTypeLayout(type);
  const size = layout ? Math.ceil(elements / layout.blockSize) * layout.typeSize : undefined;
  return { name, shape, type, offset, elements, size };
}

/** A key's value with its on-disk type, ready to hand to the writer. */
export function typedEntry(file: GgufFile, key: string): GgufTypedValue | undefined {
  const value = file.metadata[key];
  const type = file.metadataTypes[key];
  return value === undefined || type === undefined ? undefined : { type, value };
}

/** Raw bytes of one tensor's data (tests, tools; don't call on big tensors casually). */
export async function readTensorData(path: string, file: GgufFile, tensor: GgufTensorInfo): Promise<Buffer> {
  if (tensor.size === undefined) throw new Error(`unknown size for tensor ${tensor.name}`);
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(tensor.size);
    const { bytesRead } = await fh.read(buf, 0, tensor.size, file.dataOffset + tensor.offset);
    if (bytesRead !== tensor.size) throw new Error(`short read of tensor ${tensor.name}`);
    return buf;
  } finally {
    await fh.close();
  }
}
