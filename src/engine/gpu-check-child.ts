/**
 * The child side of checkGpu: `node gpu-check-child.js <cuda|vulkan|metal|false>` loads that llama.cpp
 * backend, offloads a tiny random-weight model to it and decodes a few tokens. A backend that cannot
 * run its kernels aborts this process instead of the server. Success is one JSON line with
 * `"ok": true` on stdout and exit code 0; anything else is a failure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getLlama, type LlamaGpuType, type Token } from "node-llama-cpp";
import { presetSpec, writeRandomModel } from "../gguf/model.js";

// A prompt long enough to run the batched matmul kernels, not only the single-token ones.
const PROMPT = "The quick brown fox jumps over the lazy dog while the cat watches from the warm window sill.";
const SAMPLED_TOKENS = 2;

function parseGpu(arg: string | undefined): LlamaGpuType {
  if (arg === "false") return false;
  if (arg === "cuda" || arg === "vulkan" || arg === "metal") return arg;
  throw new Error(`unknown GPU type ${JSON.stringify(arg)}`);
}

async function run(gpu: LlamaGpuType): Promise<Token[]> {
  // debug: llama.cpp's own lines go straight to stdout/stderr from C, at every level (so no
  // logLevel). Through node-llama-cpp's logger they are queued for the JS thread and lost when ggml
  // aborts, and they are what names the cause.
  const llama = await getLlama({
    gpu,
    build: "never",
    debug: true,
    progressLogs: false,
    maxThreads: 1,
  });
  // Asked for one backend, node-llama-cpp may still hand back another; that proves nothing.
  if (llama.gpu !== gpu)
    throw new Error(`asked for ${String(gpu)}, node-llama-cpp loaded ${String(llama.gpu)}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), "tollama-gpu-check-"));
  try {
    const modelPath = path.join(dir, "tiny.gguf");
    await writeRandomModel(modelPath, presetSpec("tiny"));
    const model = await llama.loadModel({ modelPath, gpuLayers: "max" });
    const context = await model.createContext({ contextSize: 256, sequences: 1 });
    const sampled: Token[] = [];
    for await (const token of context.getSequence().evaluate(model.tokenize(PROMPT), { temperature: 0 })) {
      sampled.push(token);
      if (sampled.length >= SAMPLED_TOKENS) break;
    }
    await context.dispose();
    await model.dispose();
    await llama.dispose();
    return sampled;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  try {
    const gpu = parseGpu(process.argv[2]);
    const tokens = await run(gpu);
    await write(process.stdout, `${JSON.stringify({ ok: true, gpu: String(gpu), tokens })}\n`);
    return 0;
  } catch (err) {
    await write(process.stderr, `gpu check failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

// Exit explicitly: a native handle left behind must not turn a finished check into a timeout.
process.exit(await main());
