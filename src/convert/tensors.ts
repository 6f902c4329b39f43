/**
 * Checkpoint tensors on their way into a GGUF: read chunk by chunk from the safetensors files,
 * regrouped or shifted where an architecture needs it, and encoded on worker threads.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { GgmlType, writeGguf, type GgufTypedValue, type TensorToWrite } from "../gguf/index.js";
import { rawToF32, type RawType, type RawValues } from "../gguf/raw-values.js";
import { createEncodePool } from "../gguf/encode-pool.js";
import { readSafetensors, type SafetensorsTensor } from "./safetensors.js";
import type { Checkpoint } from "./source.js";

export interface NamedTensor {
  /** Its GGUF name. */
  name: string;
  tensor: SafetensorsTensor;
}

/** How a tensor's values change on the way. */
export interface Transform {
  /** The source row of each output row (llama's q and k); default: the same row. */
  rowOf?: ((row: number) => number) | undefined;
  /** Add one to every value (Gemma's norms). Default false. */
  addOne?: boolean | undefined;
}

const sourceTypes: Record<string, { type: RawType; width: number }> = {
  F32: { type: GgmlType.F32, width: 4 },
  F16: { type: GgmlType.F16, width: 2 },
  BF16: { type: GgmlType.BF16, width: 2 },
};

/**
 * Every tensor of the checkpoint's safetensors files under the name `rename` gives it (null leaves
 * it out), blocks in numeric order.
 */
export async function checkpointTensors(
  files: Checkpoint,
  rename: (name: string) => string | null,
): Promise<NamedTensor[]> {
  const names = [...files.keys()].filter((n) => n.endsWith(".safetensors")).sort();
  if (names.length === 0) throw new Error("unknown tensor format");
  const found: NamedTensor[] = [];
  const seen = new Set<string>();
  for (const file of names) {
    for (const tensor of await readSafetensors(files.get(file) as string)) {
      const name = rename(tensor.name);
      if (name === null) continue;
      if (seen.has(name)) throw new Error(`duplicate tensor name '${name}' was found for this model`);
      seen.add(name);
      found.push({ name, tensor });
    }
  }
  return found.sort(byBlock);
}

/** Blocks in numeric order, each block's tensors by name; token_embd and the rest by name. */
function byBlock(a: { name: string }, b: { name: string }): number {
  const block = (n: string) => (n.startsWith("blk.") ? Number(n.split(".")[1]) : -1);
  return block(a.name) - block(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Opens the checkpoint's files as tensors ask for them, and encodes on a worker pool. */
export async function writeConverted(
  outPath: string,
  threads: number | undefined,
  build: (fdOf: (path: string) => number) => {
    metadata: Record<string, GgufTypedValue>;
    tensors: TensorToWrite[];
  },
): Promise<void> {
  const fds = new Map<string, number>();
  const fdOf = (path: string) => {
    let fd = fds.get(path);
    if (fd === undefined) fds.set(path, (fd = openSync(path, "r")));
    return fd;
  };
  const pool = createEncodePool(threads);
  try {
    await writeGguf(outPath, {
      ...build(fdOf),
      chunkElements: 1 << 18,
      encoder: pool,
    });
  } finally {
    for (const fd of fds.values()) closeSync(fd);
    await pool.close();
  }
}

export function tensorToWrite(
  { name, tensor: t }: NamedTensor,
  fdOf: (path: string) => number,
  transform: Transform = {},
): TensorToWrite {
  const source = sourceTypes[t.dtype];
  if (!source) throw new Error(`unknown data type: ${t.dtype}`);
  if (t.shape.reduce((a, b) => a * b, 1) * source.width !== t.size)
    throw new Error(`tensor ${t.name} has ${t.size} bytes for its shape`);
  const raw = rawReader(t, source, fdOf, transform.rowOf);
  const fill = (out: Float32Array, start: number) => void rawToF32(raw(start, out.length), out);
  const shape = [...t.shape].reverse();
  const type = outputType(name, t);
  if (!transform.addOne) return { name, shape, type, raw, fill };
  // the values change on the way, so the encoder gets them as float32 rather than as the file's bytes
  const shifted = (out: Float32Array, start: number) => {
    fill(out, start);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + 1;
  };
  return { name, shape, type, fill: shifted };
}

/** Vectors, biases and BERT's two token-type rows stay F32, as Ollama keeps them; BF16 stays BF16. */
function outputType(name: string, t: SafetensorsTensor): TensorToWrite["type"] {
  if (t.shape.length === 1 || name.endsWith(".bias") || name === "token_types.weight") return GgmlType.F32;
  return t.dtype === "BF16" ? GgmlType.BF16 : GgmlType.F16;
}

/**
 * Reads elements [start, start + count) of `t` as the file holds them; with `rowOf`, each whole
 * row comes from the source row it names.
 */
function rawReader(
  t: SafetensorsTensor,
  source: { type: RawType; width: number },
  fdOf: (path: string) => number,
  rowOf: ((row: number) => number) | undefined,
): (start: number, count: number) => RawValues {
  const rowLength = t.shape[t.shape.length - 1] ?? 1;
  const rowBytes = rowLength * source.width;
  return (start, count) => {
    const bytes = new Uint8Array(count * source.width);
    const fd = fdOf(t.path);
    if (!rowOf) readExactly(fd, bytes, t.offset + start * source.width, t.name);
    else
      for (let r = 0; r < count / rowLength; r++) {
        const into = bytes.subarray(r * rowBytes, (r + 1) * rowBytes);
        readExactly(fd, into, t.offset + rowOf(start / rowLength + r) * rowBytes, t.name);
      }
    return { type: source.type, bytes };
  };
}

function readExactly(fd: number, into: Uint8Array, position: number, name: string): void {
  if (readSync(fd, into, 0, into.length, position) !== into.length)
    throw new Error(`short read of tensor ${name}`);
}

/**
 * For q and k of a llama checkpoint: the source row of each output row. Hugging Face keeps each
 * head's rows as [first halves of the rotary pairs, second halves]; llama.cpp wants the pairs
 * side by side, so output row (head, i, j) comes from source row (head, j, i).
 */
export function headRowOrder(rows: number, heads: number, name: string): (row: number) => number {
  const half = rows / heads / 2;
  if (!Number.isInteger(half))
    throw new Error(`tensor ${name}: ${rows} rows do not split into ${heads} heads`);
  return (row) => {
    const head = Math.floor(row / (2 * half));
    const within = row % (2 * half);
    return head * 2 * half + (within % 2) * half + Math.floor(within / 2);
  };
}

export function vectorTensor(name: string, values: Float32Array): TensorToWrite {
  return {
    name,
    shape: [values.length],
    type: GgmlType.F32,
    fill: (out, start) => out.set(values.subarray(start, start + out.length)),
  };
}
