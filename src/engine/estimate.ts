/**
 * Memory a model needs before it is loaded, from node-llama-cpp's arithmetic over the GGUF's
 * tensors and shape (weights + KV cache + compute buffers), so the scheduler can evict or refuse
 * first. Its newer "V2" estimates load the model a second time in a no-alloc simulator instead;
 * the vocabulary that builds stays behind in malloc's arenas as ~45 MB of resident memory per
 * estimate on a 150k-token vocab, for an estimate that only has to be close.
 */
import { GgmlType, GgufInsights, readGgufFileInfo, type Llama, type LlamaModel } from "node-llama-cpp";
import type { KvCacheType, LoadOptions } from "./types.js";

export interface MemoryNeed {
  /** Bytes of RAM, and of VRAM where layers are offloaded. */
  ram: number;
  vram: number;
}

/** Each cache type as node-llama-cpp names it. */
export const cacheTypes: Record<KvCacheType, GgmlType> = {
  f16: GgmlType.F16,
  f32: GgmlType.F32,
  bf16: GgmlType.BF16,
  q8_0: GgmlType.Q8_0,
  q4_0: GgmlType.Q4_0,
  q4_1: GgmlType.Q4_1,
  iq4_nl: GgmlType.IQ4_NL,
  q5_0: GgmlType.Q5_0,
  q5_1: GgmlType.Q5_1,
};

/**
 * Parsed GGUF headers by path, kept a minute: one load asks for several estimates (the parallelism
 * choice, then the memory fit), and parsing a 150k-token vocabulary takes 250-400 ms each time.
 * Model blobs are content-addressed, so a path's contents do not change.
 */
const recentByLlama = new WeakMap<Llama, Map<string, Promise<GgufInsights>>>();
const KEEP_MS = 60_000;

function insightsFor(llama: Llama, path: string): Promise<GgufInsights> {
  let recent = recentByLlama.get(llama);
  if (!recent) recentByLlama.set(llama, (recent = new Map<string, Promise<GgufInsights>>()));
  let insights = recent.get(path);
  if (!insights) {
    insights = readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false }).then((info) =>
      GgufInsights.from(info, llama),
    );
    recent.set(path, insights);
    const cache = recent;
    const forget = () => cache.get(path) === insights && cache.delete(path);
    insights.catch(forget);
    setTimeout(forget, KEEP_MS).unref();
  }
  return insights;
}

/** Weights plus context, for `load` with `gpuLayers` offloaded. */
function need(insights: GgufInsights, load: LoadOptions, gpuLayers: number): MemoryNeed {
  const model = insights.estimateModelResourceRequirements({ gpuLayers, useMmap: load.useMmap });
  const context = contextNeed(insights, load, gpuLayers, true);
  return { ram: model.cpuRam + context.cpuRam, vram: model.gpuVram + context.gpuVram };
}

/** The context's share: its KV cache, and with `graph` the compute buffers too. */
function contextNeed(insights: GgufInsights, load: LoadOptions, gpuLayers: number, graph: boolean) {
  return insights.estimateContextResourceRequirements({
    contextSize: load.contextSize,
    modelGpuLayers: gpuLayers,
    batchSize: load.batchSize,
    sequences: load.sequences,
    isEmbeddingContext: load.embedding ?? false,
    includeGraphOverhead: graph,
    flashAttention: load.flashAttention === true,
    kvCacheKeyType: cacheTypes[load.kvCacheType],
    kvCacheValueType: cacheTypes[load.kvCacheType],
  });
}

export async function estimateLoad(llama: Llama, load: LoadOptions): Promise<MemoryNeed> {
  const insights = await insightsFor(llama, load.path);
  const gpuLayers =
    llama.gpu === false ? 0 : load.gpuLayers === "auto" ? insights.totalLayers : load.gpuLayers;
  return need(insights, load, gpuLayers);
}

/** The VRAM `load` takes with `layers` offloaded, by the arithmetic fitGpuLayers uses. */
export async function vramForLayers(llama: Llama, load: LoadOptions, layers: number): Promise<number> {
  return need(await insightsFor(llama, load.path), load, layers).vram;
}

/** Ollama's per-GPU reserve for what sits outside the model's own buffers (ml/device.go). */
export function minimumGpuMemory(gpu: string | false): number {
  return (gpu === "metal" ? 512 : 457) * 1024 ** 2;
}

/**
 * The most layers (0 to all) whose weights and context fit in `freeVram`, as Ollama's scheduler fits
 * a model that was given no num_gpu. Its own arithmetic rather than node-llama-cpp's "auto", which
 * answers the same question by loading the model again and again in a simulator, and leaves each
 * vocabulary it built behind in resident memory: a server holding Qwen2.5-0.5B on an H200 took
 * about 900 MiB that way and 680-710 MiB with this fit.
 */
export async function fitGpuLayers(
  llama: Llama,
  load: LoadOptions,
  freeVram: number,
): Promise<{ layers: number; totalLayers: number }> {
  const insights = await insightsFor(llama, load.path);
  const { totalLayers } = insights;
  let layers = totalLayers;
  while (layers > 0 && need(insights, load, layers).vram > freeVram) layers--;
  return { layers, totalLayers };
}

/**
 * /api/ps's size and size_vram for a loaded model. On the CPU, the weights and the context's KV
 * cache, as Ollama's size counts them (`hostBytes`, what the engine measured, when it is more:
 * llama.cpp's state size leaves out the cache's empty cells). Compute buffers are left out:
 * node-llama-cpp's estimate of them is about twice what llama.cpp allocates on the CPU. With layers
 * offloaded, the VRAM is its offloaded layers plus the context's share, by the same arithmetic as
 * the fit, and the size adds what stays in RAM. With every layer offloaded the two are equal, which
 * clients show as "100% GPU" (Ollama's `ps` shows "Unknown" when size_vram exceeds size); the token
 * embeddings llama.cpp keeps in RAM are not counted.
 */
export function loadedSizes(
  model: LlamaModel,
  load: LoadOptions,
  hostBytes: number,
): { sizeBytes: number; vramBytes: number } {
  if (model.gpuLayers === 0) {
    const cache = contextNeed(model.fileInsights, load, 0, false).cpuRam;
    return { sizeBytes: Math.round(Math.max(hostBytes, model.size + cache)), vramBytes: 0 };
  }
  // node-llama-cpp's estimates can be fractional; the wire's sizes are Go int64s.
  const estimate = need(model.fileInsights, load, model.gpuLayers);
  const [ram, vram] = [Math.round(estimate.ram), Math.round(estimate.vram)];
  const whole = model.gpuLayers >= model.fileInsights.totalLayers;
  return { sizeBytes: whole ? vram : ram + vram, vramBytes: vram };
}
