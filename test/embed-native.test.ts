/**
 * The direct embedding and ranking paths (src/engine/embed-native.ts) against node-llama-cpp's own
 * getEmbeddingFor and rank on the same context: the same native calls, so the same bits.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { nativeEmbedder, nativeRanker } from "../src/engine/embed-native.js";
import { ThreadShare } from "../src/engine/gate.js";
import { tinyModel } from "./helpers/models.js";

let llama: Llama;
const models: LlamaModel[] = [];
before(async () => {
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
});
after(async () => {
  for (const m of models) await m.dispose();
  await llama.dispose();
});

const texts = ["hello world", "the quick brown fox jumps over the lazy dog", "a", "hello world"];

// mean, cls and last pooling (llama.cpp's 1, 2, 3)
for (const poolingType of [1, 2, 3]) {
  test(`pooling ${poolingType}: the same vectors as getEmbeddingFor, in any order`, async () => {
    const model = await llama.loadModel({ modelPath: await tinyModel({ overrides: { poolingType } }) });
    models.push(model);
    const context = await model.createEmbeddingContext({ contextSize: 64, batchSize: 64, threads: 1 });
    const native = nativeEmbedder(context, new ThreadShare(1));
    assert.ok(native, "node-llama-cpp's internals are as embed-native.ts expects");
    const tokens = texts.map((t) => model.tokenize(t, true));
    const want: number[][] = [];
    for (const t of tokens) want.push([...(await context.getEmbeddingFor([...t] as Token[])).vector]);
    // concurrent calls are serialised, and each clears what the one before (either path) left in
    // the cache
    const got = await Promise.all(tokens.map((t) => native.embed(native.prepare(t))));
    assert.deepEqual(got, want);
    assert.deepEqual(got[0], got[3]);
    assert.notDeepEqual(got[0], got[1]);
    assert.equal(native.prepare(tokens[0]!).length, context.calculateInputLength([...tokens[0]!] as Token[]));
    assert.deepEqual(await native.embed([]), []);
    // longer than one batch: refused (getEmbeddingFor would split it and pool the last piece only)
    await assert.rejects(native.embed(new Array<number>(65).fill(tokens[0]![0]!)), /context size/);
    await context.dispose();
  });
}

test("a reranker: the same scores as rank, decodes holding a share of the engine's threads", async () => {
  const model = await llama.loadModel({
    modelPath: await tinyModel({
      overrides: { arch: "qwen3", qkvBias: false, poolingType: 4, classifierLabels: ["yes", "no"] },
    }),
  });
  models.push(model);
  const context = await model.createRankingContext({ contextSize: 64, batchSize: 64, threads: 1 });
  const busy: boolean[] = [];
  const native = nativeRanker(context, new ThreadShare(1, (b) => busy.push(b)));
  assert.ok(native, "node-llama-cpp's internals are as embed-native.ts expects");
  const query = "what is a fox?";
  const want: number[] = [];
  for (const t of texts) want.push(await context.rank(query, t));
  const inputs = texts.map((t) => native.input(query, t));
  const got = await Promise.all(inputs.map((input) => native.score(input)));
  assert.deepEqual(got, want);
  assert.notEqual(got[0], got[1]);
  for (const [i, t] of texts.entries())
    assert.equal(inputs[i]!.length, context.calculateInputLength(query, t));
  assert.ok(busy.includes(true), "the decodes joined the thread share");
  assert.equal(busy.at(-1), false, "and left it");
  assert.equal(await native.score([]), 0);
  await assert.rejects(native.score(new Array<number>(65).fill(inputs[0]![0]!)), /context size/);
  await context.dispose();
});
