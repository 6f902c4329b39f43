// Generated models cached on disk: tests and benchmarks ask for a preset and get a path, and the
// (slow, for big presets) generation happens once per spec.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { repoRoot } from "./paths.js";
import { presetSpec, writeRandomModel, type ModelSpec, type PresetName, type QuantName } from "./model.js";

/** Bump when the generator's output changes, so stale cached files are not reused. */
const GENERATOR_VERSION = 1;

export { repoRoot };

export function defaultCacheDir(): string {
  return resolve(repoRoot(), ".cache", "models");
}

export interface EnsureModelOptions {
  quant?: QuantName;
  cacheDir?: string;
  /** Any other spec changes (layers, tokenizer, ...); they become part of the cache key. */
  overrides?: Partial<ModelSpec>;
}

/** File name for a spec: readable prefix, plus a hash of everything that shapes the bytes. */
export function cachedModelName(preset: string, spec: ModelSpec): string {
  const hash = createHash("sha256")
    .update(JSON.stringify({ v: GENERATOR_VERSION, spec }))
    .digest("hex")
    .slice(0, 12);
  return `${preset}-${spec.quant}-${hash}.gguf`;
}

/** Path of the preset's model in the cache, generating it first if it is not there yet. */
export async function ensureModel(preset: PresetName, opts: EnsureModelOptions = {}): Promise<string> {
  const spec = presetSpec(preset, { ...opts.overrides, ...(opts.quant ? { quant: opts.quant } : {}) });
  const dir = opts.cacheDir ?? defaultCacheDir();
  const path = join(dir, cachedModelName(preset, spec));
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  await writeRandomModel(path, spec);
  return path;
}
