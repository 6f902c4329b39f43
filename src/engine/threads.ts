/**
 * CPU threads for a generation context. With every layer on the GPU, the CPU's share of a decode
 * is gathering the token embeddings. The prebuilt addon attaches no ggml thread pool, so each
 * decode starts and joins threads-1 OS threads for that share (llama.cpp's own server keeps a
 * pool): on a fast GPU, whose token takes 1-2 ms, that is a cost worth dropping. A count the user
 * chose is kept.
 */
export function contextThreads(
  threads: number,
  chosen: boolean,
  offloadedLayers: number,
  totalLayers: number,
): number {
  if (chosen || totalLayers <= 0) return threads;
  return offloadedLayers >= totalLayers ? 1 : threads;
}
