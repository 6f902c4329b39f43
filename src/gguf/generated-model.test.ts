// Proves generated files are real models: llama.cpp (through node-llama-cpp) loads them,
// tokenizes with the embedded tokenizer, applies the chat template and generates.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaChatSession, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { ensureModel } from "./cache.js";
import { summarize } from "./info.js";
import { presetSpec, writeRandomModel, type QuantName } from "./model.js";
import { readGguf } from "./reader.js";

let dir = "";
let llama: Llama;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-model-"));
  llama = await getLlama({ gpu: false, maxThreads: 1, build: "never", logLevel: LlamaLogLevel.error });
});
after(async () => {
  await llama.dispose();
  await rm(dir, { recursive: true, force: true });
});

test("the tiny preset loads, tokenizes, chats and generates", async () => {
  const path = await ensureModel("tiny", { cacheDir: dir });
  assert.equal(await ensureModel("tiny", { cacheDir: dir }), path, "second call reuses the cached file");
  const info = summarize(await readGguf(path));
  assert.equal(info.architecture, "qwen2");
  assert.equal(info.quantizationLevel, "Q8_0");
  assert.ok(info.hasChatTemplate);

  const model = await llama.loadModel({ modelPath: path });
  try {
    assert.equal(model.trainContextSize, 4096);
    const text = "Hello world, the quick brown fox.\n<|im_start|>";
    const tokens = model.tokenize(text);
    assert.ok(tokens.length < text.length, "merges apply");
    assert.equal(model.detokenize(tokens), text);
    assert.deepEqual(model.tokenize("<|im_end|>", true), [258]);
    assert.equal(model.tokens.eos, 258);

    const context = await model.createContext({ contextSize: 256, threads: 1 });
    const session = new LlamaChatSession({ contextSequence: context.getSequence() });
    let generated = 0;
    await session.prompt("Hi there", {
      maxTokens: 8,
      temperature: 1,
      seed: 3,
      onToken: (t) => (generated += t.length),
    });
    assert.ok(generated > 0, "generated tokens");
    await context.dispose();
  } finally {
    await model.dispose();
  }
});

async function embeddingOf(quant: QuantName, seed = 42): Promise<Float32Array> {
  const path = join(dir, `tiny-${quant}-${seed}.gguf`);
  await writeRandomModel(path, presetSpec("tiny", { quant, seed, weightStd: 0.1 }));
  const model = await llama.loadModel({ modelPath: path });
  try {
    const ctx = await model.createEmbeddingContext({ contextSize: 128, threads: 1 });
    const e = await ctx.getEmbeddingFor("Hello world, the quick brown fox");
    await ctx.dispose();
    return Float32Array.from(e.vector);
  } finally {
    await model.dispose();
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

// llama.cpp's own dequantization reads our blocks: a misplaced scale or nibble would make the
// quantized model compute something unrelated to the F32 one with the same weights.
test("llama.cpp computes the same function from F16, Q8_0 and Q4_0 encodings of the weights", async () => {
  const ref = await embeddingOf("F32");
  assert.ok(cosine(ref, await embeddingOf("F16")) > 0.9999);
  assert.ok(cosine(ref, await embeddingOf("Q8_0")) > 0.999);
  assert.ok(cosine(ref, await embeddingOf("Q4_0")) > 0.95);
  assert.ok(cosine(ref, await embeddingOf("F32", 7)) < 0.9, "other weights give another function");
});

test(
  "the smollm2-135m shape (llama arch, 9 heads / 3 kv heads) loads and evaluates",
  { timeout: 120_000 },
  async () => {
    // its real widths, with 2 layers and a small vocab to keep the file small
    const path = join(dir, "smol.gguf");
    await writeRandomModel(path, presetSpec("smollm2-135m", { layers: 2, vocab: 2048 }));
    const model = await llama.loadModel({ modelPath: path });
    try {
      const ctx = await model.createContext({ contextSize: 128, threads: 1 });
      const seq = ctx.getSequence();
      let n = 0;
      for await (const _ of seq.evaluate(model.tokenize("Hello"), { temperature: 1, seed: 1 }))
        if (++n >= 4) break;
      assert.equal(n, 4);
      await ctx.dispose();
    } finally {
      await model.dispose();
    }
  },
);
