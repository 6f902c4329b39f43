/**
 * Memory a model needs before it is loaded, from llama.cpp's own arithmetic as node-llama-cpp
 * models it (weights + KV cache + compute buffers), so the scheduler can evict or refuse first.
 */
import { GgufInsights, readGgufFileInfo, type Llama } from "node-llama-cpp";
import type { LoadOptions } from "./types.js";

export interface MemoryNeed {
  /** Bytes of RAM, and of VRAM where layers are offloaded. */
  ram: number;
  vram: number;
}

export async function estimateLoad(llama: Llama, load: LoadOptions): Promise<MemoryNeed> {
  const info = await readGgufFileInfo(load.path, { readTensorInfo: true, logWarnings: false });
  const insights = await GgufInsights.from(info, llama);
  const gpuLayers =
    llama.gpu === false ? 0 : load.gpuLayers === "auto" ? insights.totalLayers : load.gpuLayers;
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers, useMmap: load.useMmap });
  const context = await insights.estimateContextResourceRequirementsV2({
    contextSize: load.contextSize,
    modelGpuLayers: gpuLayers,
    batchSize: load.batchSize,
    sequences: load.sequences,
    isEmbeddingContext: load.embedding ?? false,
    flashAttention: load.flashAttention,
  });
  return { ram: model.cpuRam + context.cpuRam, vram: model.gpuVram + context.gpuVram };
}
