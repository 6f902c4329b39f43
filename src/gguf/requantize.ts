/**
 * `create --quantize`: an F32, F16 or BF16 GGUF rewritten as Q8_0, Q4_K_S or Q4_K_M. Ollama runs
 * llama.cpp's llama-quantize for this; the tensors quantized, their types and the order they are
 * written in are its choices (src/gguf/quant-plan.ts). Everything else keeps its type (BF16, which
 * the writer cannot produce, becomes F32, losslessly). Tensors stream a few chunks at a time.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { readGguf, typedEntry, type GgufFile } from "./reader.js";
import { writeGguf, type TensorToWrite } from "./writer.js";
import { f16ToF32 } from "./fp16.js";
import { FileType, GgmlType, GgufValueType, type GgufTypedValue } from "./types.js";
import { planQuantization, type QuantFileType } from "./quant-plan.js";
import { createEncodePool } from "./encode-pool.js";

const bytesPer: Partial<Record<number, number>> = {
  [GgmlType.F32]: 4,
  [GgmlType.F16]: 2,
  [GgmlType.BF16]: 2,
};

/**
 * Writes `inPath` (F32/F16/BF16 tensors only) to `outPath` as `fileType`; `onProgress` gets the
 * tensor bytes read so far and their total. Throws for a tensor of any other type. Chunks are
 * encoded on `threads` worker threads (default: one per core the process may use); this thread
 * only reads, converts to float32 and writes.
 */
export async function requantize(
  inPath: string,
  outPath: string,
  fileType: QuantFileType,
  onProgress: (doneBytes: number, totalBytes: number) => void = () => {},
  threads?: number,
): Promise<void> {
  const file = await readGguf(inPath);
  let total = 0;
  for (const t of file.tensors) {
    const width = bytesPer[t.type];
    if (width === undefined) throw new Error(`tensor ${t.name} is already quantized`);
    total += t.elements * width;
  }
  const fd = openSync(inPath, "r");
  const pool = createEncodePool(threads);
  try {
    let done = 0;
    const tensors = planQuantization(file, fileType).map(({ tensor: t, type }): TensorToWrite => {
      const width = bytesPer[t.type] ?? 4;
      let scratch = Buffer.alloc(0);
      return {
        name: t.name,
        shape: t.shape,
        type,
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
    await writeGguf(outPath, {
      metadata: quantizedMetadata(file, FileType[fileType]),
      tensors,
      // Chunks of 256K values, four per worker in flight: a slow k-quant matrix then spreads over
      // every worker instead of holding the window while fast Q5_0 chunks queue behind it.
      chunkElements: 1 << 18,
      encoder: { encode: (type, src) => pool.encode(type, src), inFlight: pool.size * 4 },
    });
  } finally {
    closeSync(fd);
    await pool.close();
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

/** The source's metadata in its order, with the file type llama-quantize writes. */
function quantizedMetadata(file: GgufFile, fileType: number): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {};
  for (const key of Object.keys(file.metadata)) {
    const entry = typedEntry(file, key);
    if (entry) out[key] = entry;
  }
  out["general.file_type"] = { type: GgufValueType.UINT32, value: fileType };
  out["general.quantization_version"] ??= { type: GgufValueType.UINT32, value: 2 };
  return out;
}
