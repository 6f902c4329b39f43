// Generated models for integration tests and benchmarks, cached under <repo>/.cache/models so
// each is written once per machine (the tiny one takes milliseconds, qwen2.5-0.5b ~20 s).

import { ensureModel, type EnsureModelOptions } from "../../src/gguf/cache.js";
import type { PresetName } from "../../src/gguf/model.js";

/** Path of the tiny test model (qwen2 arch, built-in ChatML tokenizer, ~200 KB). */
export function tinyModel(opts: EnsureModelOptions = {}): Promise<string> {
  return ensureModel("tiny", opts);
}

/** Path of any preset's model, e.g. `presetModel("qwen2.5-0.5b", { quant: "Q8_0" })` for benches. */
export function presetModel(preset: PresetName, opts: EnsureModelOptions = {}): Promise<string> {
  return ensureModel(preset, opts);
}
