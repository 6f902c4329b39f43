/**
 * Fitting layers to free VRAM (src/engine/estimate.ts) on a real GGUF: the answer for num_gpu unset
 * is the most layers whose weights and context fit, by the same arithmetic /api/ps reports. The
 * arithmetic is the same with or without a GPU, so this runs on any machine.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  getLlama,
  GgufInsights,
  LlamaLogLevel,
  readGgufFileInfo,
  type Llama,
  type LlamaModel,
} from "node-llama-cpp";
import { processorText } from "../src/cli/commands/list.js";
import { fitGpuLayers, loadedSizes, minimumGpuMemory, vramForLayers } from "../src/engine/estimate.js";
import type { LoadOptions } from "../src/engine/types.js";
import { tinyModel } from "./helpers/models.js";

let llama: Llama;
before(async () => {
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
});
after(() => llama.dispose());

async function load(overrides: Partial<LoadOptions> = {}): Promise<LoadOptions> {
  return {
    path: await tinyModel({ overrides: { layers: 6 } }),
    contextSize: 2048,
    sequences: 4,
    batchSize: 512,
    threads: 1,
    gpuLayers: "auto",
    flashAttention: "auto",
    kvCacheType: "f16",
    adapters: [],
    ...overrides,
  };
}

test("num_gpu unset offloads the most layers that fit: all, some, or none", async () => {
  const opts = await load();
  const all = await fitGpuLayers(llama, opts, Number.MAX_SAFE_INTEGER);
  assert.equal(all.layers, all.totalLayers);
  assert.equal(all.totalLayers, 7, "6 blocks and the output layer");
  assert.equal((await fitGpuLayers(llama, opts, 0)).layers, 0);
  for (let layers = 1; layers <= all.totalLayers; layers++) {
    const vram = await vramForLayers(llama, opts, layers);
    assert.ok(vram > (await vramForLayers(llama, opts, layers - 1)), "each layer takes memory");
    assert.equal((await fitGpuLayers(llama, opts, vram)).layers, layers, `exactly ${layers} layers' worth`);
    assert.equal((await fitGpuLayers(llama, opts, vram - 1)).layers, layers - 1, "a byte short");
  }
});

test("the context counts: a bigger KV cache leaves room for fewer layers", async () => {
  const small = await load();
  const big = await load({ contextSize: 32768, sequences: 8 });
  const budget = await vramForLayers(llama, small, 7);
  assert.equal((await fitGpuLayers(llama, small, budget)).layers, 7);
  assert.ok((await fitGpuLayers(llama, big, budget)).layers < 7);
});

test("Ollama's reserve per GPU: 457 MiB, 512 MiB on Metal", () => {
  assert.equal(minimumGpuMemory("cuda"), 457 * 1024 ** 2);
  assert.equal(minimumGpuMemory("vulkan"), 457 * 1024 ** 2);
  assert.equal(minimumGpuMemory("metal"), 512 * 1024 ** 2);
});

test("/api/ps sizes: all layers offloaded is 100% GPU, some is a CPU/GPU split, none is 100% CPU", async () => {
  const opts = await load();
  const info = await readGgufFileInfo(opts.path, { readTensorInfo: true, logWarnings: false });
  // the fields loadedSizes reads, as a loaded model on a GPU would have them
  const loaded = async (gpuLayers: number) =>
    ({
      gpuLayers,
      size: 1_000_000,
      fileInsights: await GgufInsights.from(info, llama),
    }) as unknown as LlamaModel;
  const host = 123_456;
  // On the CPU: the weights plus the context's KV cache and buffers, at least what was measured.
  const cpu = loadedSizes(await loaded(0), opts, host);
  assert.equal(cpu.vramBytes, 0);
  assert.ok(cpu.sizeBytes > host, String(cpu.sizeBytes));
  assert.equal(processorText(cpu.sizeBytes, cpu.vramBytes), "100% CPU");
  const measured = 10 * cpu.sizeBytes;
  assert.equal(loadedSizes(await loaded(0), opts, measured).sizeBytes, measured);
  const all = loadedSizes(await loaded(7), opts, host);
  assert.equal(all.vramBytes, await vramForLayers(llama, opts, 7));
  assert.equal(processorText(all.sizeBytes, all.vramBytes), "100% GPU");
  const some = loadedSizes(await loaded(3), opts, host);
  assert.equal(some.vramBytes, await vramForLayers(llama, opts, 3));
  assert.match(processorText(some.sizeBytes, some.vramBytes), /^\d+%\/\d+% CPU\/GPU$/);
});
