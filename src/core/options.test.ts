import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig, physicalCores, type Env } from "../config/index.js";
import { effectiveOptions, loadOptions, type ModelForOptions } from "./options.js";

const model = (params?: Record<string, unknown>, embedding = false): ModelForOptions => ({
  modelPath: "/m.gguf",
  capabilities: embedding ? ["embedding"] : ["completion"],
  stored: { params, adapterPaths: ["/lora.gguf"] },
});

/** Env → config, Modelfile params and request options → the engine's LoadOptions; warnings kept. */
function map(
  env: Env,
  request?: Record<string, unknown>,
  params?: Record<string, unknown>,
  embedding = false,
) {
  const warnings: string[] = [];
  const config = loadConfig(env, (m) => warnings.push(m));
  const m = model(params, embedding);
  return { load: loadOptions(config, m, effectiveOptions(config, m, request).options), warnings };
}

test("architectures Ollama serves one request at a time get one sequence, whatever OLLAMA_NUM_PARALLEL says", () => {
  const config = loadConfig({ OLLAMA_NUM_PARALLEL: "4" }, () => {});
  const opts = (architecture: string) => {
    const m = { ...model(), gguf: { contextLength: undefined, architecture } };
    return loadOptions(config, m, effectiveOptions(config, m, undefined).options);
  };
  for (const arch of ["qwen3next", "lfm2", "nemotron_h", "mllama", "qwen3vl"])
    assert.equal(opts(arch).sequences, 1);
  assert.equal(opts("qwen2").sequences, 4);
  assert.equal(opts("llama").sequences, 4);
  // unset (auto) too
  const auto = loadConfig({}, () => {});
  const m = { ...model(), gguf: { contextLength: undefined, architecture: "lfm2" } };
  assert.equal(loadOptions(auto, m, effectiveOptions(auto, m, undefined).options).sequences, 1);
});

test("defaults: physical cores, batch 512, GPU layers fitted, f16 cache, flash attention auto", () => {
  const { load, warnings } = map({});
  assert.deepEqual(load, {
    path: "/m.gguf",
    contextSize: 4096,
    sequences: 0, // chosen at load by the scheduler
    batchSize: 512,
    threads: physicalCores(),
    threadsChosen: false,
    gpuLayers: "auto",
    useMmap: undefined,
    flashAttention: "auto",
    kvCacheType: "f16",
    adapters: ["/lora.gguf"],
    embedding: false,
  });
  assert.deepEqual(warnings, []);
});

test("threads: num_thread (request over Modelfile), else OLLAMA_NUM_THREAD, else physical cores", () => {
  assert.equal(map({ OLLAMA_NUM_THREAD: "3" }).load.threads, 3);
  assert.equal(map({ OLLAMA_NUM_THREAD: "3" }, { num_thread: 5 }).load.threads, 5);
  assert.equal(map({}, undefined, { num_thread: 6 }).load.threads, 6);
  assert.equal(map({ OLLAMA_NUM_THREAD: "3" }, { num_thread: 2 }, { num_thread: 6 }).load.threads, 2);
  // 0 means "runtime decides", as in Ollama
  assert.equal(map({ OLLAMA_NUM_THREAD: "3" }, { num_thread: 0 }).load.threads, 3);
  assert.equal(map({ OLLAMA_NUM_THREAD: "0" }).load.threads, physicalCores());
  // the engine may use fewer than the default (one thread with every layer on the GPU), never a chosen count
  assert.equal(map({}).load.threadsChosen, false);
  assert.equal(map({ OLLAMA_NUM_THREAD: "3" }).load.threadsChosen, true);
  assert.equal(map({}, { num_thread: 5 }).load.threadsChosen, true);
  const bad = map({ OLLAMA_NUM_THREAD: "many" });
  assert.equal(bad.load.threads, physicalCores());
  assert.match(bad.warnings[0] ?? "", /OLLAMA_NUM_THREAD/);
  assert.equal(bad.warnings.filter((w) => w.includes("OLLAMA_NUM_THREAD")).length, 1);
  assert.equal(bad.load.threadsChosen, false);
});

test("num_batch, num_ctx, num_gpu, use_mmap and OLLAMA_NUM_PARALLEL", () => {
  assert.equal(map({}, { num_batch: 64 }).load.batchSize, 64);
  assert.equal(map({}, { num_batch: 0 }).load.batchSize, 512);
  assert.equal(map({}, undefined, { num_batch: 128 }).load.batchSize, 128);
  assert.equal(map({ OLLAMA_CONTEXT_LENGTH: "2048" }).load.contextSize, 2048);
  assert.equal(map({ OLLAMA_CONTEXT_LENGTH: "2048" }, { num_ctx: 512 }).load.contextSize, 512);
  assert.equal(map({}, { num_gpu: -1 }).load.gpuLayers, "auto");
  assert.equal(map({}, { num_gpu: 0 }).load.gpuLayers, 0);
  assert.equal(map({}, { num_gpu: 12 }).load.gpuLayers, 12);
  assert.equal(map({}, { use_mmap: false }).load.useMmap, false);
  assert.equal(map({ OLLAMA_NUM_PARALLEL: "2" }).load.sequences, 2);
  assert.equal(map({}, undefined, undefined, true).load.embedding, true);
});

test("OLLAMA_KV_CACHE_TYPE: llama-server's types (any case); anything else is f16 with a warning", () => {
  assert.equal(map({ OLLAMA_KV_CACHE_TYPE: "q8_0" }).load.kvCacheType, "q8_0");
  assert.equal(map({ OLLAMA_KV_CACHE_TYPE: "Q4_0" }).load.kvCacheType, "q4_0");
  assert.equal(map({ OLLAMA_KV_CACHE_TYPE: "f16" }).load.kvCacheType, "f16");
  assert.equal(map({ OLLAMA_KV_CACHE_TYPE: "q5_1" }).load.kvCacheType, "q5_1");
  const bad = map({ OLLAMA_KV_CACHE_TYPE: "q3_k" });
  assert.equal(bad.load.kvCacheType, "f16");
  assert.match(bad.warnings[0] ?? "", /OLLAMA_KV_CACHE_TYPE/);
});

test("OLLAMA_FLASH_ATTENTION: Go booleans, unset is auto, unparsable is on (as in Ollama)", () => {
  for (const [value, want] of [
    ["1", true],
    ["true", true],
    ["T", true],
    ["0", false],
    ["false", false],
    ["", "auto"],
    ["yes", true],
  ] as const) {
    assert.equal(map({ OLLAMA_FLASH_ATTENTION: value }).load.flashAttention, want, value);
  }
});

test("a quantized cache needs flash attention: off falls back to f16 with Ollama's warning", () => {
  for (const type of ["q8_0", "q4_0"]) {
    const off = map({ OLLAMA_FLASH_ATTENTION: "0", OLLAMA_KV_CACHE_TYPE: type });
    assert.equal(off.load.kvCacheType, "f16");
    assert.equal(off.load.flashAttention, false);
    assert.deepEqual(off.warnings, [
      `OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE, using f16: type=${type}`,
    ]);
    // on, or auto (llama.cpp then turns it on for the quantized V cache): the type is kept
    assert.equal(map({ OLLAMA_FLASH_ATTENTION: "1", OLLAMA_KV_CACHE_TYPE: type }).load.kvCacheType, type);
    assert.equal(map({ OLLAMA_KV_CACHE_TYPE: type }).load.kvCacheType, type);
  }
  assert.deepEqual(map({ OLLAMA_FLASH_ATTENTION: "0", OLLAMA_KV_CACHE_TYPE: "f16" }).warnings, []);
});

test("num_ctx: at least 4 (2048 for vision), at most the model's trained context", () => {
  const config = loadConfig({ OLLAMA_CONTEXT_LENGTH: "8192" });
  const trained = (
    contextLength: number | undefined,
    capabilities: ModelForOptions["capabilities"] = [],
  ) => ({
    ...model(),
    capabilities,
    gguf: { contextLength },
  });
  const numCtx = (m: Parameters<typeof effectiveOptions>[1], request?: Record<string, unknown>) =>
    effectiveOptions(config, m, request);

  const capped = numCtx(trained(2048));
  assert.equal(capped.options.numCtx, 2048);
  assert.deepEqual(capped.numCtxOverTrained, { requested: 8192, trained: 2048 });
  assert.equal(numCtx(trained(2048), { num_ctx: 100_000 }).options.numCtx, 2048);
  assert.equal(numCtx(trained(32768)).options.numCtx, 8192);
  assert.equal(numCtx(trained(32768)).numCtxOverTrained, undefined);
  // no trained length in the GGUF: whatever was asked
  assert.equal(numCtx(trained(undefined), { num_ctx: 100_000 }).options.numCtx, 100_000);
  assert.equal(numCtx(trained(0), { num_ctx: 100_000 }).options.numCtx, 100_000);
  assert.equal(numCtx(trained(2048), { num_ctx: 1 }).options.numCtx, 4);
  assert.equal(numCtx(trained(32768, ["completion", "vision"]), { num_ctx: 512 }).options.numCtx, 2048);
  // the Modelfile's num_ctx is capped the same way
  assert.equal(
    numCtx({ ...trained(1024), stored: { params: { num_ctx: 4096 }, adapterPaths: [] } }).options.numCtx,
    1024,
  );
});
