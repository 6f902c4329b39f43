// pullModel: Ollama's PullModel over our store. The manifest is written only after every blob it
// names is on disk and verified, so an interrupted pull never leaves a model that cannot load.
import {
  CorruptManifestError,
  ModelNotFoundError,
  assertDigest,
  manifestDigests,
  parseManifestBytes,
  type Layer,
  type Manifest,
  type NameInput,
  type Store,
} from "../store/index.js";
import { RegistryClient } from "./client.js";
import { acquireDownload, type BlobDownload } from "./download.js";
import { blobUrl, manifestUrl, resolveEndpoint, type Endpoint } from "./endpoint.js";
import { RegistryError, errorMessage } from "./errors.js";
import { readBytes } from "./http.js";
import {
  progressStream,
  status,
  transferProgress,
  type ProgressFn,
  type ProgressResponse,
} from "./progress.js";
import { isRetryable, isUnreachable, withRetries } from "./retry.js";
import { resolveTuning, type Tuning } from "./tuning.js";
import type { Credentials } from "./auth.js";

export const MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json";
const MAX_MANIFEST_BYTES = 32 << 20;

export interface TransferOptions {
  /** Plain http, and the only way an `http://` name is accepted. */
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  credentials?: Credentials;
  token?: string;
  tuning?: Partial<Tuning>;
}

export interface PullOptions extends TransferOptions {
  /** OLLAMA_NOPRUNE: keep layers the replaced manifest used. */
  noPrune?: boolean;
}

interface PullContext {
  store: Store;
  endpoint: Endpoint;
  client: RegistryClient;
  tuning: Tuning;
  signal: AbortSignal | undefined;
  emit: ProgressFn;
}

async function fetchManifest(ctx: PullContext): Promise<{ manifest: Manifest; bytes: Buffer }> {
  const bytes = await withRetries(
    ctx.tuning,
    ctx.signal,
    async () => {
      const res = await ctx.client.request("GET", manifestUrl(ctx.endpoint), {
        headers: { Accept: MANIFEST_ACCEPT },
        signal: ctx.signal,
      });
      return readBytes(res, MAX_MANIFEST_BYTES);
    },
    (err) => isRetryable(err) && !isUnreachable(err),
  );
  return { manifest: parseManifestBytes(bytes, "manifest").manifest, bytes };
}

/** Digests of the model's current manifest, which a successful pull may orphan. */
async function previousDigests(store: Store, name: NameInput): Promise<string[]> {
  try {
    return manifestDigests((await store.readManifest(name)).manifest);
  } catch (err) {
    if (err instanceof ModelNotFoundError || err instanceof CorruptManifestError) return [];
    throw err;
  }
}

/** Layers then config, as Ollama orders them; a digest listed twice is fetched once. */
function blobsOf(ctx: PullContext, manifest: Manifest): Layer[] {
  const layers = manifest.config.digest ? [...manifest.layers, manifest.config] : [...manifest.layers];
  for (const l of layers) {
    if (!l.digest) throw new RegistryError(`${ctx.endpoint.repository}: digest is empty`);
    assertDigest(l.digest);
  }
  return layers;
}

/** Returns the download to verify, or undefined when the blob was already there. */
async function pullBlob(ctx: PullContext, layer: Layer): Promise<BlobDownload | undefined> {
  const { store, emit, digest } = { ...ctx, digest: layer.digest };
  if (await store.hasBlob(digest)) {
    const size = await store.blobSize(digest);
    emit(transferProgress("pulling", digest, size, size));
    return undefined;
  }
  const download = await acquireDownload({
    client: ctx.client,
    url: blobUrl(ctx.endpoint, digest),
    digest,
    file: store.blobPath(digest),
    tuning: ctx.tuning,
  });
  await download.wait(ctx.signal, (completed, total) =>
    emit(transferProgress("pulling", digest, total, completed)),
  );
  return download;
}

async function pruneReplaced(ctx: PullContext, before: string[], kept: string[]): Promise<void> {
  const keep = new Set(kept);
  const orphans = before.filter((d) => !keep.has(d));
  if (orphans.length === 0) return;
  ctx.emit(status("removing unused layers"));
  try {
    await ctx.store.removeUnusedBlobs(orphans);
  } catch (err) {
    ctx.emit(status(`couldn't remove unused layers: ${errorMessage(err)}`));
  }
}

export function clientFor(options: TransferOptions, tuning: Tuning): RegistryClient {
  return new RegistryClient({
    credentials: options.credentials,
    token: options.token,
    idleTimeoutMs: tuning.stallTimeoutMs,
  });
}

/**
 * Pulls `name` into `store`, reporting Ollama's progress objects through `onProgress`. Throws
 * errors whose messages are Ollama's (e.g. "pull model manifest: file does not exist").
 */
export async function pullModel(store: Store, name: NameInput, options: PullOptions = {}): Promise<void> {
  const emit = options.onProgress ?? (() => {});
  const resolved = await store.resolveName(name);
  // resolveName keeps a `scheme://` the name carried; the endpoint applies Ollama's insecure rule.
  const endpoint = resolveEndpoint(resolved, options.insecure);
  const tuning = resolveTuning(options.tuning);
  const ctx: PullContext = {
    store,
    endpoint,
    client: clientFor(options, tuning),
    tuning,
    signal: options.signal,
    emit,
  };
  const before = options.noPrune ? [] : await previousDigests(store, resolved);

  emit(status("pulling manifest"));
  let fetched: { manifest: Manifest; bytes: Buffer };
  try {
    fetched = await fetchManifest(ctx);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new RegistryError(`pull model manifest: ${errorMessage(err)}`);
  }
  const layers = blobsOf(ctx, fetched.manifest);

  const toVerify: BlobDownload[] = [];
  for (const layer of layers) {
    const download = await pullBlob(ctx, layer);
    if (download && !toVerify.includes(download)) toVerify.push(download);
  }

  emit(status("verifying sha256 digest"));
  // Every blob is checked before the first failure is reported, so the good ones are kept.
  const results = await Promise.allSettled(toVerify.map((d) => d.verify()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  // Something (a concurrent delete or prune) may have removed a blob meanwhile; never commit then.
  for (const layer of layers) {
    if (!(await store.hasBlob(layer.digest)))
      throw new RegistryError(`blob ${layer.digest} disappeared during pull`);
  }

  emit(status("writing manifest"));
  await store.writeManifestBytes(resolved, fetched.bytes);
  if (!options.noPrune)
    await pruneReplaced(
      ctx,
      before,
      layers.map((l) => l.digest),
    );
  emit(status("success"));
}

/** The same pull as an async generator of progress objects (the HTTP layer's NDJSON lines). */
export function pull(
  store: Store,
  name: NameInput,
  options: Omit<PullOptions, "onProgress"> = {},
): AsyncGenerator<ProgressResponse> {
  return progressStream((emit) => pullModel(store, name, { ...options, onProgress: emit }));
}
