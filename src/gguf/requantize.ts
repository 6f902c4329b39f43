/**
 * `create --quantize q8_0`: an F32, F16 or BF16 GGUF rewritten with its weight matrices in Q8_0.
 * Ollama runs llama.cpp's llama-quantize for this; the tensors chosen here are the ones it
 * quantizes (llama_model_quantize_impl): names ending in "weight" with two or more dimensions,
 * except norms, MoE routers, position and token-type embeddings, and recurrent-state weights.
 * Everything else, and any matrix whose rows are not whole Q8_0 blocks, keeps its type (BF16,
 * which the writer cannot produce, becomes F32, losslessly). Tensors stream one chunk at a time.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { readGguf, typedEntry, type GgufFile, type GgufTensorInfo } from "./reader.js";
import { writeGguf, type TensorToWrite } from "./writer.js";
import { f16ToF32 } from "./fp16.js";
import { FileType, GgmlType, GgufValueType, type GgufTypedValue } from "./types.js";
import type { WritableType } from "./quant.js";

const KEPT = [
  "_norm.weight",
  "ffn_gate_inp.weight",
  "ssm_conv1d.weight",
  "shortconv.conv.weight",
  "time_mix_",
  "attn_rel_b.weight",
];
const KEPT_EXACT = new Set(["position_embd.weight", "token_types.weight"]);

/** Whether llama-quantize would quantize this tensor. */
export function quantizable(t: GgufTensorInfo): boolean {
  const dims = t.shape.filter((d, i) => i === 0 || d > 1).length;
  return (
    t.name.endsWith("weight") && dims >= 2 && !KEPT.some((k) => t.name.includes(k)) && !KEPT_EXACT.has(t.name)
  );
}

const bytesPer: Partial<Record<number, number>> = {
  [GgmlType.F32]: 4,
  [GgmlType.F16]: 2,
  [GgmlType.BF16]: 2,
};

/**
 * Writes `inPath` (F32/F16/BF16 tensors only) to `outPath` with Q8_0 weights; `onProgress` gets
 * the tensor bytes read so far and their total. Throws for a tensor of any other type.
 */
export async function quantizeToQ8_0(
  inPath: string,
  outPath: string,
  onProgress: (doneBytes: number, totalBytes: number) => void = () => {},
): Promise<void> {
  const file = await readGguf(inPath);
  let total = 0;
  for (const t of file.tensors) {
    const width = bytesPer[t.type];
    if (width === undefined) throw new Error(`tensor ${t.name} is already quantized`);
    total += t.elements * width;
  }
  const fd = openSync(inPath, "r");
  try {
    let done = 0;
    const tensors = file.tensors.map((t): TensorToWrite => {
      const target: WritableType =
        quantizable(t) && (t.shape[0] ?? 0) % 32 === 0
          ? GgmlType.Q8_0
          : t.type === GgmlType.F16
            ? GgmlType.F16
            : GgmlType.F32;
      const width = bytesPer[t.type] ?? 4;
      let scratch = Buffer.alloc(0);
      return {
        name: t.name,
        shape: t.shape,
        type: target,
        fill(out, start) {
          const bytes = out.length * width;
          if (scratch.length < bytes) scratch = Buffer.alloc(bytes);
          const at = file.dataOffset + t.offset + start * width;
          if (readSync(fd, scratch, 0, bytes, at) !== bytes)
            throw new Error(`short read of tensor ${t.name}`);
          decodeInto(t.type, scratch, out);
          done += bytes;
          onProgress(done, total);
        },
      };
    });
    await writeGguf(outPath, { metadata: q8Metadata(file), tensors });
  } finally {
    closeSync(fd);
  }
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

/** `src` (little-endian on a little-endian host, as every platform node-llama-cpp ships for) into `out`. */
function decodeInto(type: number, src: Buffer, out: Float32Array): void {
  const n = out.length;
  if (type === GgmlType.F32) {
    out.set(new Float32Array(src.buffer, src.byteOffset, n));
  } else if (type === GgmlType.F16) {
    const table = halves();
    const h = new Uint16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = table[h[i] as number] as number;
  } else {
    // BF16 is the top half of a float32.
    const h = new Uint16Array(src.buffer, src.byteOffset, n);
    const bits = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = (h[i] as number) << 16;
  }
}

/** The source's metadata in its order, with the file type llama-quantize writes for Q8_0. */
function q8Metadata(file: GgufFile): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {};
  for (const key of Object.keys(file.metadata)) {
    const entry = typedEntry(file, key);
    if (entry) out[key] = entry;
  }
  out["general.file_type"] = { type: GgufValueType.UINT32, value: FileType.Q8_0 };
  out["general.quantization_version"] ??= { type: GgufValueType.UINT32, value: 2 };
  return out;
}
