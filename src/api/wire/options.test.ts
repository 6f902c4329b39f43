import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultOptions, mergeOptions, optionsFromMap, OPTION_TABLE } from "./options.js";
import { WireError } from "./errors.js";

void test("defaults match Ollama DefaultOptions()", () => {
  const d = defaultOptions(4096);
  assert.equal(d.numCtx, 4096);
  assert.equal(d.numPredict, -1);
  assert.equal(d.numKeep, 4);
  assert.equal(d.temperature, Math.fround(0.8));
  assert.equal(d.topK, 40);
  assert.equal(d.topP, Math.fround(0.9));
  assert.equal(d.typicalP, 1);
  assert.equal(d.repeatLastN, 64);
  assert.equal(d.repeatPenalty, 1);
  assert.equal(d.seed, -1);
  assert.equal(d.numBatch, 512);
  assert.equal(d.numGpu, -1);
  assert.equal(d.numThread, 0);
  assert.equal(d.useMmap, undefined);
  assert.equal(d.minP, 0);
  assert.equal(OPTION_TABLE.length, 20);
});

void test("FromMap: ints truncate, floats become float32, unknown keys are reported", () => {
  const o = defaultOptions(2048);
  const ignored = optionsFromMap(o, {
    num_ctx: 8192.9,
    seed: -3.7,
    temperature: 0.7,
    use_mmap: false,
    main_gpu: 1,
    bogus: 1,
    stop: ["a", "b"],
    top_k: null,
  });
  assert.equal(o.numCtx, 8192);
  assert.equal(o.seed, -3);
  assert.equal(o.temperature, Math.fround(0.7));
  assert.equal(o.useMmap, false);
  assert.equal(o.mainGpu, 1);
  assert.deepEqual(o.stop, ["a", "b"]);
  assert.equal(o.topK, 40);
  assert.deepEqual(ignored, ["bogus"]);
});

void test("FromMap errors are Ollama texts, sent as 500", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ num_ctx: "4096" }, 'option "num_ctx" must be of type integer'],
    [{ main_gpu: true }, 'option "main_gpu" must be of type integer'],
    [{ temperature: "0.5" }, 'option "temperature" must be of type float32'],
    [{ use_mmap: 1 }, 'option "use_mmap" must be of type boolean'],
    [{ stop: "x" }, 'option "stop" must be of type array'],
    [{ stop: ["x", 1] }, 'option "stop" must be of an array of strings'],
  ];
  for (const [m, msg] of cases) {
    assert.throws(
      () => optionsFromMap(defaultOptions(2048), m),
      (e: unknown) => e instanceof WireError && e.status === 500 && e.message === msg,
      msg,
    );
  }
});

void test("mergeOptions: request > Modelfile > defaults", () => {
  const d = defaultOptions(2048);
  const { options, ignored } = mergeOptions(
    d,
    { temperature: 0.2, stop: ["<|end|>"], num_ctx: 4096, nope: true },
    { temperature: 0.9, top_k: 10 },
  );
  assert.equal(options.temperature, Math.fround(0.9));
  assert.equal(options.topK, 10);
  assert.equal(options.numCtx, 4096);
  assert.deepEqual(options.stop, ["<|end|>"]);
  assert.deepEqual(ignored, ["nope"]);
  assert.equal(d.temperature, Math.fround(0.8), "defaults untouched");
  assert.equal(mergeOptions(d, undefined, undefined).options.topK, 40);
});
