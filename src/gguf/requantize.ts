/**
 * `create --quantize`: an F32, F16 or BF16 GGUF rewritten as Q8_0, Q4_K_S, Q4_K_M, F16, BF16 or
 * F32. Ollama runs llama.cpp's llama-quantize for this; the tensors quantized, their types and the
 * order they are written in are its choices (src/gguf/quant-plan.ts). Everything else keeps its
 * type. Tensors stream a few chunks at a time.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { readGguf, typedEntry, type GgufFile } from "./reader.js";
import { writeGguf, type TensorToWrite } from "./writer.js";
import { FileType, typed, type GgufTypedValue } from "./types.js";
import { isRawType, rawToF32, rawWidth, type RawType, type RawValues } from "./raw-values.js";
import { planQuantization, type QuantFileType } from "./quant-plan.js";
import { createEncodePool } from "./encode-pool.js";

/**
 * Writes `inPath` (F32/F16/BF16 tensors only) to `outPath` as `fileType`; `onProgress` gets the
 * tensor bytes read so far and their total. Throws for a tensor of any other type. Chunks are
 * decoded to float32 and encoded on `threads` worker threads (default: one per core the process
 * may use); this thread only reads and writes.
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
    if (!isRawType(t.type)) throw new Error(`tensor ${t.name} is already quantized`);
    total += t.elements * rawWidth[t.type];
  }
  const fd = openSync(inPath, "r");
  const pool = createEncodePool(threads);
  try {
    let done = 0;
    const tensors = planQuantization(file, fileType).map(({ tensor: t, type }): TensorToWrite => {
      const rawType = t.type as RawType;
      const width = rawWidth[rawType];
      // Each chunk is read into a buffer of its own, which the encode pool hands to a worker.
      const raw = (start: number, count: number): RawValues => {
        const bytes = pool.buffer(count * width);
        const at = file.dataOffset + t.offset + start * width;
        if (readSync(fd, bytes, 0, bytes.length, at) !== bytes.length)
          throw new Error(`short read of tensor ${t.name}`);
        done += bytes.length;
        onProgress(done, total);
        return { type: rawType, bytes };
      };
      return {
        name: t.name,
        shape: t.shape,
        type,
        raw,
        fill: (out, start) => void rawToF32(raw(start, out.length), out),
      };
    });
    await writeGguf(outPath, {
      metadata: quantizedMetadata(file, FileType[fileType]),
      tensors,
      // Chunks of 256K values, as many in flight as the pool keeps busy.
      chunkElements: 1 << 18,
      encoder: pool,
    });
  } finally {
    closeSync(fd);
    await pool.close();
  }
}

/** The source's metadata in its order, with the file type llama-quantize writes. */
function quantizedMetadata(file: GgufFile, fileType: number): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {};
  for (const key of Object.keys(file.metadata)) {
    const entry = typedEntry(file, key);
    if (entry) out[key] = entry;
  }
  out["general.file_type"] = typed.u32(fileType);
  out["general.quantization_version"] ??= typed.u32(2);
  return out;
}
