// pushModel: Ollama's PushModel. Blobs first (layers, then config), the manifest last, so the
// registry never serves a tag whose blobs are missing.
import fs from "node:fs/promises";
import { parseManifestBytes, MANIFEST_MEDIA_TYPE, type NameInput, type Store } from "../store/index.js";
import { manifestUrl, resolveEndpoint } from "./endpoint.js";
import { RegistryError } from "./errors.js";
import { discard } from "./http.js";
import { progressStream, status, type ProgressResponse } from "./progress.js";
import { clientFor, type TransferOptions } from "./pull.js";
import { withRetries } from "./retry.js";
import { resolveTuning } from "./tuning.js";
import { uploadBlob, type UploadContext } from "./upload.js";

export type PushOptions = TransferOptions;

/** The local manifest's bytes, or Go's os.Open error text that Ollama reports. */
async function readLocalManifest(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new RegistryError(`open ${file}: no such file or directory`);
    throw err;
  }
}

/**
 * Pushes the local model `name` to its registry. The manifest goes up byte for byte as stored, so
 * the model keeps its digest (ID) through a push and pull.
 */
export async function pushModel(store: Store, name: NameInput, options: PushOptions = {}): Promise<void> {
  const emit = options.onProgress ?? (() => {});
  const resolved = await store.resolveName(name);
  emit(status("retrieving manifest"));
  const endpoint = resolveEndpoint(resolved, options.insecure);

  const file = store.manifestPath(resolved);
  let bytes: Buffer;
  try {
    bytes = await readLocalManifest(file);
  } catch (err) {
    emit(status("couldn't retrieve manifest"));
    throw err;
  }
  const { manifest } = parseManifestBytes(bytes, file);

  const tuning = resolveTuning(options.tuning);
  const ctx: UploadContext = {
    store,
    endpoint,
    client: clientFor(options, tuning),
    tuning,
    signal: options.signal,
    emit,
  };
  const layers = manifest.config.digest ? [...manifest.layers, manifest.config] : [...manifest.layers];
  for (const layer of layers) await uploadBlob(ctx, layer);

  emit(status("pushing manifest"));
  const mediaType = manifest.mediaType || MANIFEST_MEDIA_TYPE;
  await withRetries(ctx.tuning, ctx.signal, async () =>
    discard(
      await ctx.client.request("PUT", manifestUrl(endpoint), {
        headers: { "Content-Type": mediaType },
        body: bytes,
        signal: ctx.signal,
      }),
    ),
  );
  emit(status("success"));
}

export function push(
  store: Store,
  name: NameInput,
  options: Omit<PushOptions, "onProgress"> = {},
): AsyncGenerator<ProgressResponse> {
  return progressStream((emit) => pushModel(store, name, { ...options, onProgress: emit }));
}
