// The generator's pooling options: an embedding model (pooling type set) and a qwen3 reranker
// (rank pooling with a classifier head) that llama.cpp, through node-llama-cpp, embeds and ranks with.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { summarize } from "./info.js";
import { presetSpec, tensorPlan, writeRandomModel } from "./model.js";
import { readGguf } from "./reader.js";

let dir = "";
let llama: Llama;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-pooled-"));
  llama = await getLlama({ gpu: false, maxThreads: 1, build: "never", logLevel: LlamaLogLevel.error });
});
after(async () => {
  await llama.dispose();
  await rm(dir, { recursive: true, force: true });
});

test("a pooling type makes an embedding model llama.cpp embeds with", async () => {
  const path = join(dir, "emb.gguf");
  await writeRandomModel(path, presetSpec("tiny", { poolingType: 1 }));
  const file = await readGguf(path);
  assert.equal(file.metadata["qwen2.pooling_type"], 1);
  assert.ok(summarize(file).isEmbedding);
  const model = await llama.loadModel({ modelPath: path });
  try {
    const context = await model.createEmbeddingContext({ contextSize: 64, batchSize: 64, threads: 1 });
    const a = await context.getEmbeddingFor("hello world");
    const b = await context.getEmbeddingFor("something else");
    assert.equal(a.vector.length, 64);
    assert.notDeepEqual(a.vector, b.vector);
    await context.dispose();
  } finally {
    await model.dispose();
  }
});

test("without the options nothing changes", () => {
  const plain = tensorPlan(presetSpec("tiny"));
  assert.ok(
    !plain.some(
      (t) => t.name.startsWith("cls.") || (t.name.includes("_norm.weight") && t.name.includes("attn_q")),
    ),
  );
});

test("a qwen3 spec with classifier labels is a reranker node-llama-cpp ranks with", async () => {
  const spec = presetSpec("tiny", {
    arch: "qwen3",
    qkvBias: false,
    poolingType: 4,
    classifierLabels: ["yes", "no"],
  });
  const plan = tensorPlan(spec);
  assert.deepEqual(plan.find((t) => t.name === "cls.output.weight")?.shape, [64, 2]);
  assert.deepEqual(plan.find((t) => t.name === "blk.0.attn_q_norm.weight")?.shape, [16]);
  const path = join(dir, "rank.gguf");
  await writeRandomModel(path, spec);
  const file = await readGguf(path);
  assert.equal(file.metadata["qwen3.pooling_type"], 4);
  const model = await llama.loadModel({ modelPath: path });
  try {
    assert.ok(model.fileInsights.supportsRanking);
    const context = await model.createRankingContext({ contextSize: 64, batchSize: 64, threads: 1 });
    const scores = await context.rankAll("fox", ["a fox", "the sky"]);
    assert.equal(scores.length, 2);
    for (const s of scores) assert.ok(s > 0 && s < 1);
    await context.dispose();
  } finally {
    await model.dispose();
  }
  await assert.rejects(
    writeRandomModel(join(dir, "bad.gguf"), presetSpec("tiny", { classifierLabels: ["yes"] })),
    /classifier labels need the qwen3 arch/,
  );
});
