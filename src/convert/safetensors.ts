/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape (outermost first) and byte range in the data that follows, then the data.
 */
import { open } from "node:fs/promises";

export interface SafetensorsTensor {
  /** The name as the checkpoint spells it (`model.layers.0.self_attn.q_proj.weight`). */
  name: string;
  /** `F32`, `F16`, `BF16`, ... as the header says. */
  dtype: string;
  /** Outermost dimension first, as PyTorch lists it. */
  shape: number[];
  /** The file holding it, and where its bytes start in that file. */
  path: string;
  offset: number;
  size: number;
}

/** Headers beyond this are not a model's (a 1T-parameter checkpoint's index is far smaller). */
const MAX_HEADER = 100 * 1024 * 1024;

/** Every tensor of one safetensors file; throws for a file that is not one. */
export async function readSafetensors(path: string): Promise<SafetensorsTensor[]> {
  const fh = await open(path, "r");
  try {
    const { size: fileSize } = await fh.stat();
    const lengthBytes = Buffer.alloc(8);
    await fh.read(lengthBytes, 0, 8, 0);
    const headerSize = Number(lengthBytes.readBigUInt64LE(0));
    if (fileSize < 8 || headerSize > MAX_HEADER || 8 + headerSize > fileSize)
      throw new Error(`${path} is not a safetensors file`);
    const header = Buffer.alloc(headerSize);
    await fh.read(header, 0, headerSize, 8);
    return tensorsOf(parseHeader(header), path, 8 + headerSize, fileSize);
  } finally {
    await fh.close();
  }
}

function parseHeader(header: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString("utf8"));
  } catch {
    throw new Error("invalid safetensors header");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("invalid safetensors header");
  return parsed as Record<string, unknown>;
}

function tensorsOf(
  header: Record<string, unknown>,
  path: string,
  dataStart: number,
  fileSize: number,
): SafetensorsTensor[] {
  const out: SafetensorsTensor[] = [];
  for (const name of Object.keys(header).sort()) {
    if (name === "__metadata__") continue;
    const entry = header[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== "string" || !isNumberList(shape) || !isNumberList(offsets) || offsets.length !== 2)
      throw new Error(`invalid safetensors entry for ${name}`);
    // bitsandbytes and similar quantized checkpoints store scalars and packed blobs
    if (shape.length === 0) throw new Error("unsupported safetensors model");
    const [begin, end] = offsets as [number, number];
    if (begin > end || dataStart + end > fileSize) throw new Error(`tensor ${name} lies outside ${path}`);
    out.push({ name, dtype, shape, path, offset: dataStart + begin, size: end - begin });
  }
  return out;
}

function isNumberList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
}
