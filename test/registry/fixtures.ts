// Shared pieces of the registry integration tests: small random models built with the store API,
// temp stores, and a tuning small enough that a 1 MB blob spans many parts.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createStore, MEDIA_TYPES, type Store } from "../../src/store/index.js";
import type { ProgressResponse, Tuning } from "../../src/registry/index.js";

export const FAST: Partial<Tuning> = {
  minPartSize: 64 * 1024,
  maxPartSize: 64 * 1024,
  concurrency: 4,
  retryDelayMs: 5,
  maxRetryDelayMs: 50,
  progressIntervalMs: 10,
  checkpointIntervalMs: 20,
  stallTimeoutMs: 2000,
  uploadChunkSize: 256 * 1024,
};

const made: string[] = [];
// Each test file runs in its own process: its stores go when it exits, passed or failed.
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export async function tempDir(prefix = "tollama-reg-"): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function tempStore(): Promise<Store> {
  return createStore({ root: await tempDir(), pruneGraceMs: 0 });
}

export interface BuiltModel {
  name: string;
  manifest: Buffer;
  digests: string[];
}

/** A "GGUF" of random bytes plus a template and params layer; content is irrelevant to a registry. */
export async function buildModel(store: Store, name: string, modelBytes = 1024 * 1024): Promise<BuiltModel> {
  const weights = Buffer.concat([Buffer.from("GGUF"), randomBytes(modelBytes - 4)]);
  const layers = [
    (await store.createLayer(weights, MEDIA_TYPES.model)).layer,
    (await store.createLayer(`{{ .Prompt }} ${randomBytes(4).toString("hex")}`, MEDIA_TYPES.template)).layer,
    (await store.createLayer('{"temperature":0.5}', MEDIA_TYPES.params)).layer,
  ];
  const entry = await store.writeModel(name, {
    config: {
      model_format: "gguf",
      model_family: "llama",
      file_type: "F16",
      architecture: "amd64",
      os: "linux",
    },
    layers,
  });
  return {
    name,
    manifest: entry.bytes,
    digests: [...layers.map((l) => l.digest), entry.manifest.config.digest],
  };
}

export async function blobBytes(store: Store, digest: string): Promise<Buffer> {
  return fs.readFile(store.blobPath(digest));
}

/** Files in blobs/ other than complete blobs (partials, sidecars, temp files). */
export async function leftovers(store: Store): Promise<string[]> {
  const names = await fs.readdir(store.blobsDir).catch(() => [] as string[]);
  return names.filter((n) => !/^sha256-[0-9a-f]{64}$/.test(n));
}

export function statuses(events: ProgressResponse[]): string[] {
  const out: string[] = [];
  for (const e of events) if (out[out.length - 1] !== e.status) out.push(e.status);
  return out;
}

export function collect(): { events: ProgressResponse[]; onProgress: (p: ProgressResponse) => void } {
  const events: ProgressResponse[] = [];
  return { events, onProgress: (p) => events.push(p) };
}
