/**
 * The safetensors step of create (Ollama's convertFromSafetensors): the uploaded checkpoint files,
 * each a blob named by its path in the checkpoint, converted to one GGUF blob.
 */
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { isValidDigest, type BlobInfo, type Store } from "../../store/index.js";
import { convertAdapter, convertCheckpoint, type BaseModel } from "../../convert/index.js";
import { OllamaError } from "../errors.js";
import { DIGEST_PATTERN, normaliseDigest } from "./files.js";

const failed = (message: string) => new OllamaError(500, message);

/**
 * Converts the checkpoint `files` (path in it to blob digest), or with `base` the LoRA adapter
 * they hold for that model, and stores the GGUF as a blob.
 */
export async function convertToBlob(
  store: Store,
  files: Record<string, string>,
  base?: BaseModel,
): Promise<BlobInfo> {
  const checkpoint = new Map<string, string>();
  for (const [name, digest] of Object.entries(files)) {
    const d = normaliseDigest(digest);
    if (!DIGEST_PATTERN.test(digest) || !isValidDigest(d)) throw failed("invalid digest format");
    if (!(await store.hasBlob(d))) throw failed(`open ${store.blobPath(d)}: no such file or directory`);
    checkpoint.set(name, store.blobPath(d));
  }
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
