/**
 * The safetensors step of create (Ollama's convertFromSafetensors): the uploaded checkpoint files,
 * each a blob named by its path in the checkpoint, converted to one GGUF blob.
 */
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { BlobInfo, Store } from "../../store/index.js";
import { convertAdapter, convertCheckpoint, type BaseModel, type Checkpoint } from "../../convert/index.js";
import { OllamaError } from "../errors.js";

const failed = (message: string) => new OllamaError(500, message);

/**
 * Converts the checkpoint (its files by name, each a stored blob's path), or with `base` the LoRA
 * adapter it holds for that model, and stores the GGUF as a blob.
 */
export async function convertToBlob(
  store: Store,
  checkpoint: Checkpoint,
  base?: BaseModel,
): Promise<BlobInfo> {
  const temp = join(store.blobsDir, `convert-${randomBytes(6).toString("hex")}`);
  try {
    try {
      if (base) await convertAdapter(checkpoint, temp, base);
      else await convertCheckpoint(checkpoint, temp);
    } catch (err) {
      throw failed((err as Error).message);
    }
    return await store.writeBlob(createReadStream(temp));
  } finally {
    await rm(temp, { force: true });
  }
}
