/**
 * Converts a Hugging Face safetensors checkpoint (config.json, *.safetensors, and its tokenizer
 * files) to a GGUF, as Ollama's `create` does for such a folder: matrices as F16 (BF16 where the
 * checkpoint has BF16), vectors and biases as F32, general.file_type F16.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { readFile } from "node:fs/promises";
import {
  GgmlType,
  GgufValueType,
  ggufArray,
  writeGguf,
  type GgufTypedValue,
  type TensorToWrite,
} from "../gguf/index.js";
import { rawToF32, type RawType, type RawValues } from "../gguf/raw-values.js";
import { createEncodePool } from "../gguf/encode-pool.js";
import {
  architectureFor,
  ggufTensorName,
  ropeFactorTensors,
  type Architecture,
  type HfConfig,
} from "./architectures.js";
import { readSafetensors, type SafetensorsTensor } from "./safetensors.js";
import { readTokenizer, TokenType, type SourceFiles, type Tokenizer } from "./tokenizer.js";

/** The checkpoint's files: relative name (`model-00001-of-00002.safetensors`) to path on disk. */
export type Checkpoint = ReadonlyMap<string, string>;

const sourceTypes: Record<string, { type: RawType; width: number }> = {
  F32: { type: GgmlType.F32, width: 4 },
  F16: { type: GgmlType.F16, width: 2 },
  BF16: { type: GgmlType.BF16, width: 2 },
};

/**
 * Writes the checkpoint `files` as a GGUF at `outPath`; tensors are encoded on `threads` worker
 * threads (default: one per core the process may use).
 */
export async function convertCheckpoint(files: Checkpoint, outPath: string, threads?: number): Promise<void> {
  const source = sourceFiles(files);
  const checkpointConfig = await readConfig(source);
  const arch = architectureFor(checkpointConfig);
  const config = arch.settings?.(checkpointConfig) ?? checkpointConfig;
  const extra = (await arch.prepare?.(source)) ?? {};
  const tokenizer = await readTokenizer(source);
  padVocabulary(tokenizer, config.vocab_size ?? 0);
  arch.adjustTokenizer?.(tokenizer);
  const found = await checkpointTensors(files, arch);

  const fds = new Map<string, number>();
  const fdOf = (path: string) => {
    let fd = fds.get(path);
    if (fd === undefined) fds.set(path, (fd = openSync(path, "r")));
    return fd;
  };
  const pool = createEncodePool(threads);
  try {
    const tensors = found.sort(byBlock).map(({ name, tensor }) => toWrite(name, tensor, arch, config, fdOf));
    tensors.unshift(...ropeFactorTensors(arch, config).map(([name, values]) => vectorTensor(name, values)));
    await writeGguf(outPath, {
      metadata: {
        "general.architecture": { type: GgufValueType.STRING, value: arch.name },
        "general.file_type": { type: GgufValueType.UINT32, value: 1 },
        "general.quantization_version": { type: GgufValueType.UINT32, value: 2 },
        ...arch.metadata(config, tokenizer.vocab.tokens.length),
        ...extra,
        ...tokenizerMetadata(tokenizer),
      },
      tensors,
      chunkElements: 1 << 18,
      encoder: { encode: (type, src) => pool.encode(type, src), inFlight: pool.size * 4 },
    });
  } finally {
    for (const fd of fds.values()) closeSync(fd);
    await pool.close();
  }
}

async function readConfig(source: SourceFiles): Promise<HfConfig> {
  const bytes = await source.read("config.json");
  if (!bytes) throw new Error("open config.json: file does not exist");
  try {
    return JSON.parse(bytes.toString("utf8")) as HfConfig;
  } catch (err) {
    throw new Error(`config.json: ${(err as Error).message}`);
  }
}

/** Every tensor of the checkpoint's safetensors files under its GGUF name. */
async function checkpointTensors(
  files: Checkpoint,
  arch: Architecture,
): Promise<Array<{ name: string; tensor: SafetensorsTensor }>> {
  const names = [...files.keys()].filter((n) => n.endsWith(".safetensors")).sort();
  if (names.length === 0) throw new Error("unknown tensor format");
  const found: Array<{ name: string; tensor: SafetensorsTensor }> = [];
  const seen = new Set<string>();
  for (const file of names) {
    for (const tensor of await readSafetensors(files.get(file) as string)) {
      const name = ggufTensorName(tensor.name, arch);
      if (name === null) continue;
      if (seen.has(name)) throw new Error(`duplicate tensor name '${name}' was found for this model`);
      seen.add(name);
      found.push({ name, tensor });
    }
  }
  return found;
}

function sourceFiles(files: Checkpoint): SourceFiles {
  return {
    async read(name) {
      const path = files.get(name);
      return path === undefined ? undefined : readFile(path);
    },
  };
}

/**
 * A vocabulary shorter than config.json's vocab_size is padded with placeholder tokens (the
 * embedding matrix has rows for them); a longer one stands.
 */
function padVocabulary(t: Tokenizer, size: number): void {
  const v = t.vocab;
  for (let i = 0; v.tokens.length < size; i++) {
    v.tokens.push(`[PAD${i}]`);
    v.scores.push(-1);
    v.types.push(TokenType.userDefined);
  }
}

/** Blocks in numeric order, each block's tensors by name; token_embd and the rest by name. */
function byBlock(a: { name: string }, b: { name: string }): number {
  const block = (n: string) => (n.startsWith("blk.") ? Number(n.split(".")[1]) : -1);
  return block(a.name) - block(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function toWrite(
  name: string,
  t: SafetensorsTensor,
  arch: Architecture,
  config: HfConfig,
  fdOf: (path: string) => number,
): TensorToWrite {
  const source = sourceTypes[t.dtype];
  if (!source) throw new Error(`unknown data type: ${t.dtype}`);
  if (t.shape.reduce((a, b) => a * b, 1) * source.width !== t.size)
    throw new Error(`tensor ${t.name} has ${t.size} bytes for its shape`);
  const heads = arch.repackHeads?.(name, config);
  const raw = rawReader(t, source, fdOf, heads ? headRowOrder(t.shape[0] ?? 0, heads, t.name) : undefined);
  const fill = (out: Float32Array, start: number) => void rawToF32(raw(start, out.length), out);
  const shape = [...t.shape].reverse();
  const type = outputType(name, t);
  if (!arch.addsOne?.(name)) return { name, shape, type, raw, fill };
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
 * row comes from the source row it names (q and k of a llama checkpoint).
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

function vectorTensor(name: string, values: Float32Array): TensorToWrite {
  return {
    name,
    shape: [values.length],
    type: GgmlType.F32,
    fill: (out, start) => out.set(values.subarray(start, start + out.length)),
  };
}

function tokenizerMetadata(t: Tokenizer): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {
    "tokenizer.ggml.model": { type: GgufValueType.STRING, value: t.vocab.model },
    "tokenizer.ggml.pre": { type: GgufValueType.STRING, value: t.pre },
    "tokenizer.ggml.tokens": {
      type: GgufValueType.ARRAY,
      value: ggufArray(GgufValueType.STRING, t.vocab.tokens),
    },
    "tokenizer.ggml.scores": {
      type: GgufValueType.ARRAY,
      value: ggufArray(GgufValueType.FLOAT32, t.vocab.scores),
    },
    "tokenizer.ggml.token_type": {
      type: GgufValueType.ARRAY,
      value: ggufArray(GgufValueType.INT32, t.vocab.types),
    },
  };
  if (t.merges.length > 0)
    out["tokenizer.ggml.merges"] = {
      type: GgufValueType.ARRAY,
      value: ggufArray(GgufValueType.STRING, t.merges),
    };
  for (const s of t.specials) {
    const key = specialKey[s.kind];
    out[`tokenizer.ggml.add_${key}_token`] = { type: GgufValueType.BOOL, value: s.add };
    out[`tokenizer.ggml.${key}_token_id`] = { type: GgufValueType.UINT32, value: s.id };
    if (s.ids && s.ids.length > 0)
      out[`tokenizer.ggml.${key}_token_ids`] = {
        type: GgufValueType.ARRAY,
        value: ggufArray(GgufValueType.INT32, s.ids),
      };
  }
  if (t.template) out["tokenizer.chat_template"] = { type: GgufValueType.STRING, value: t.template };
  return out;
}

/** GGUF's names for the special token kinds (llama.cpp's spelling of "separator" included). */
const specialKey = {
  bos: "bos",
  eos: "eos",
  unk: "unknown",
  sep: "seperator",
  pad: "padding",
  cls: "cls",
  mask: "mask",
} as const;
