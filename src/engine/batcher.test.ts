import { test } from "node:test";
import assert from "node:assert/strict";
import { Batcher, type Sampled, type Slot } from "./batcher.js";
import type { LogitReport, NativeContext, NativeSampler, SampleAt } from "./native.js";

const EOG = 999;

/** Records every batch; each sampler yields its script, then end-of-generation. */
class FakeNative implements NativeContext {
  batches: Array<Array<{ seq: number; pos: number; tokens: number[]; logits: number[] }>> = [];
  calls: string[] = [];
  failNextDecode = false;
  minPosition = 0;
  private batch: Array<{ seq: number; pos: number; tokens: number[]; logits: number[] }> = [];
  private logitCount = 0;

  holds = 0;
  /** Holds at each decode. */
  holdsAtDecode: number[] = [];
  refuseHold = false;

  hold(): () => void {
    if (this.refuseHold) throw new Error("the context is disposed");
    this.holds++;
    return () => this.holds--;
  }
  initBatch(): void {
    this.batch = [];
    this.logitCount = 0;
  }
  addToBatch(seq: number, pos: number, tokens: Uint32Array, logits: Uint32Array): Uint32Array {
    this.batch.push({ seq, pos, tokens: [...tokens], logits: [...logits] });
    return Uint32Array.from(logits, () => this.logitCount++);
  }
  private async decodeBatch(): Promise<void> {
    this.holdsAtDecode.push(this.holds);
    this.batches.push(this.batch);
    await new Promise((r) => setImmediate(r));
    if (this.failNextDecode) {
      this.failNextDecode = false;
      throw new Error("decode failed");
    }
  }
  async decodeAndSample(samples: ReadonlyArray<SampleAt>): Promise<Array<Promise<number>>> {
    await this.decodeBatch();
    return samples.map(async (s) => {
      await Promise.resolve();
      return (s.sampler as ScriptSampler).next();
    });
  }
  readLogits(index: number): Promise<LogitReport> {
    return Promise.reject(new Error(`readLogits(${index}) is not scripted`));
  }
  disposeSequence(seq: number): void {
    this.calls.push(`clear ${seq}`);
  }
  removeTokenCellsFromSequence(seq: number, start: number, end: number): boolean {
    this.calls.push(`rm ${seq} ${start} ${end}`);
    return true;
  }
  getSequenceKvCacheMinPosition(): number {
    return this.minPosition;
  }
  shiftSequenceTokenCells(seq: number, start: number, end: number, delta: number): void {
    this.calls.push(`shift ${seq} ${start} ${end} ${delta}`);
  }
}

class ScriptSampler implements NativeSampler {
  disposed = false;
  constructor(private readonly script: number[]) {}
  next(): number {
    return this.script.shift() ?? EOG;
  }
  applyConfig(): void {}
  dispose(): void {
    this.disposed = true;
  }
}

function setup(contextSize = 64, batchSize = 32, slidingWindow?: number) {
  const native = new FakeNative();
  const batcher = new Batcher(native, {
    contextSize,
    batchSize,
    slidingWindow,
    isEndOfGeneration: (t) => t === EOG,
  });
  const slot = (id: number): Slot => ({ id, tokens: [] });
  return { native, batcher, slot };
}

async function collect(it: AsyncIterable<Sampled>): Promise<number[]> {
  const out: number[] = [];
  for await (const t of it) out.push(t.token);
  return out;
}

const job = (prompt: number[], script: number[], extra: { shift?: boolean; numKeep?: number } = {}) => ({
  prompt,
  sampler: new ScriptSampler(script),
  shift: extra.shift ?? true,
  numKeep: extra.numKeep ?? 0,
});

test("generating slots share every decode, one token each", async () => {
  const { native, batcher, slot } = setup();
  const [a, b] = await Promise.all([
    collect(batcher.start(slot(0), job([1, 2, 3], [10, 11, 12]))),
    collect(batcher.start(slot(1), job([4, 5], [20, 21, 22]))),
  ]);
  assert.deepEqual(a, [10, 11, 12]);
  assert.deepEqual(b, [20, 21, 22]);
  assert.deepEqual(native.batches[0], [
    { seq: 0, pos: 0, tokens: [1, 2, 3], logits: [2] },
    { seq: 1, pos: 0, tokens: [4, 5], logits: [1] },
  ]);
  for (const step of native.batches.slice(1, 4)) assert.equal(step.length, 2);
  assert.deepEqual(native.batches[1], [
    { seq: 0, pos: 3, tokens: [10], logits: [0] },
    { seq: 1, pos: 2, tokens: [20], logits: [0] },
  ]);
});

test("the loop holds the context while it runs, and lets go when it has no job", async () => {
  const { native, batcher, slot } = setup();
  assert.deepEqual(await collect(batcher.start(slot(0), job([1], [10, 11]))), [10, 11]);
  await batcher.close();
  assert.deepEqual(native.holdsAtDecode, [1, 1, 1]);
  assert.equal(native.holds, 0);
});

test("a context that refuses the hold fails the jobs, and a later job gets a loop of its own", async () => {
  const { native, batcher, slot } = setup();
  native.refuseHold = true;
  await assert.rejects(collect(batcher.start(slot(0), job([1], [10]))), /disposed/);
  native.refuseHold = false;
  assert.deepEqual(await collect(batcher.start(slot(0), job([1], [12]))), [12]);
});

test("a request joins the running batch at the next step", async () => {
  const { native, batcher, slot } = setup();
  const first = collect(batcher.start(slot(0), job([1], [10, 11, 12, 13, 14])));
  await new Promise((r) => setImmediate(r));
  const second = collect(batcher.start(slot(1), job([7, 8], [30])));
  await Promise.all([first, second]);
  const joined = native.batches.findIndex((b) => b.some((i) => i.seq === 1));
  assert.ok(joined > 0);
  assert.deepEqual(
    native.batches[joined]?.map((i) => i.tokens),
    [[native.batches[joined]?.[0]?.tokens[0]], [7, 8]],
  );
});

test("a prompt longer than the batch is split, with logits on its last chunk only", async () => {
  const { native, batcher, slot } = setup(64, 4);
  await collect(batcher.start(slot(0), job([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [])));
  assert.deepEqual(
    native.batches.map((b) => b.map((i) => [i.pos, i.tokens.length, i.logits.length])),
    [[[0, 4, 0]], [[4, 4, 0]], [[8, 2, 1]]],
  );
});

test("the cached prefix is kept and only the rest evaluated", async () => {
  const { native, batcher, slot } = setup();
  const s = slot(0);
  await collect(batcher.start(s, job([1, 2, 3], [10, 11])));
  // Everything but the end-of-generation token is in the cache.
  assert.deepEqual(s.tokens, [1, 2, 3, 10, 11]);
  native.batches = [];
  let evaluated = -1;
  const run = batcher.start(s, {
    ...job([1, 2, 3, 10, 11, 40, 41], []),
    onPromptDone: (n) => (evaluated = n),
  });
  await collect(run);
  assert.deepEqual(native.batches[0], [{ seq: 0, pos: 5, tokens: [40, 41], logits: [1] }]);
  assert.equal(evaluated, 2);
  // A prompt that diverges erases the cache from the divergence on.
  await collect(batcher.start(s, job([1, 2, 9], [])));
  assert.deepEqual(native.calls.at(-1), "rm 0 2 -1");
  // A prompt equal to the cache still evaluates its last token.
  native.batches = [];
  await collect(batcher.start(s, job([1, 2, 9], [])));
  assert.deepEqual(native.batches[0], [{ seq: 0, pos: 2, tokens: [9], logits: [0] }]);
});

test("a full context shifts, keeping num_keep tokens and dropping half of the rest", async () => {
  const { native, batcher, slot } = setup(8);
  const s = slot(0);
  const out = await collect(batcher.start(s, job([1, 2, 3, 4, 5, 6], [10, 11, 12, 13], { numKeep: 2 })));
  assert.deepEqual(out, [10, 11, 12, 13]);
  assert.deepEqual(native.calls, ["rm 0 2 5", "shift 0 5 8 -3"]);
  assert.deepEqual(s.tokens, [1, 2, 6, 10, 11, 12, 13]);
});

test("without shift a full context ends the generation", async () => {
  const { batcher, slot } = setup(8);
  const out = await collect(
    batcher.start(slot(0), job([1, 2, 3, 4, 5, 6], [10, 11, 12, 13], { shift: false })),
  );
  assert.deepEqual(out, [10, 11, 12]);
});

test("a reader that leaves is dropped at the next step and its sampler freed", async () => {
  const { native, batcher, slot } = setup();
  const endless = Array.from({ length: 1000 }, (_, i) => 100 + i);
  const a = job([1], endless);
  const stream = batcher.start(slot(0), a);
  const other = collect(batcher.start(slot(1), job([2], [50, 51, 52, 53, 54, 55])));
  for await (const t of stream) if (t.token >= 102) break;
  await other;
  assert.ok(a.sampler.disposed);
  const last = native.batches.findLastIndex((b) => b.some((i) => i.seq === 0));
  assert.ok(last < native.batches.length - 1, "slot 0 left the batch while slot 1 went on");
});

test("a failed decode fails its jobs and clears their slots", async () => {
  const { native, batcher, slot } = setup();
  const s = slot(0);
  native.failNextDecode = true;
  await assert.rejects(collect(batcher.start(s, job([1, 2], [10]))), /decode failed/);
  assert.deepEqual(native.calls, ["clear 0"]);
  assert.deepEqual(s.tokens, []);
  assert.deepEqual(await collect(batcher.start(s, job([1, 2], [10]))), [10]);
});

test("close ends running jobs and waits for the step in flight", async () => {
  const { batcher, slot } = setup();
  const stream = batcher.start(
    slot(0),
    job(
      [1],
      Array.from({ length: 1000 }, (_, i) => i + 1),
    ),
  );
  const got = collect(stream);
  await new Promise((r) => setImmediate(r));
  await batcher.close();
  assert.ok((await got).length < 1000);
  await assert.rejects(collect(batcher.start(slot(1), job([1], []))), /unloading/);
});

test("a sliding-window cache is rewound only while the window before the cut is still cached", async () => {
  const { native, batcher, slot } = setup(64, 32, 4);
  const s = slot(0);
  await collect(batcher.start(s, job([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [])));
  native.minPosition = 5; // positions 0-4 have left the window
  native.calls = [];
  // Cut at 9: the window [5, 9) is there.
  await collect(batcher.start(s, job([1, 2, 3, 4, 5, 6, 7, 8, 9, 42], [])));
  assert.deepEqual(native.calls, ["rm 0 9 -1"]);
  // Cut at 6: [2, 6) is gone, so the prompt is evaluated afresh.
  native.calls = [];
  native.batches = [];
  await collect(batcher.start(s, job([1, 2, 3, 4, 5, 6, 43], [])));
  assert.deepEqual(native.calls, ["clear 0"]);
  assert.deepEqual(native.batches[0]?.[0]?.pos, 0);
});

test("each sampled token carries its log-probability; end of generation reads none", async () => {
  const { batcher, slot } = setup();
  const read: number[] = [];
  let disposed = false;
  const logprobs = {
    read(_native: NativeContext, _index: number, token: number) {
      read.push(token);
      return Promise.resolve({ token, logprob: -token / 100, top: [] });
    },
    dispose: () => (disposed = true),
  };
  const got: Sampled[] = [];
  for await (const s of batcher.start(slot(0), { ...job([1], [10, 11]), logprobs })) got.push(s);
  assert.deepEqual(
    got.map((s) => [s.token, s.logprob?.logprob]),
    [
      [10, -0.1],
      [11, -0.11],
    ],
  );
  assert.deepEqual(read, [10, 11]);
  await batcher.close();
  assert.ok(disposed);
});

test("a failed log-probability read fails the job, not the loop", async () => {
  const { batcher, slot } = setup();
  const logprobs = { read: () => Promise.reject(new Error("no logits")), dispose() {} };
  await assert.rejects(collect(batcher.start(slot(0), { ...job([1], [10]), logprobs })), /no logits/);
  assert.deepEqual(await collect(batcher.start(slot(1), job([1], [10]))), [10]);
});

test("a reader gets a step's token once the next decode is queued", async () => {
  const { native, batcher, slot } = setup();
  const seen: Array<[number, number]> = [];
  for await (const s of batcher.start(slot(0), job([1], [10, 11, 12])))
    seen.push([s.token, native.batches.length]);
  // Token 10 comes from the first decode; when it arrives the second (feeding 10) is already queued.
  assert.deepEqual(seen, [
    [10, 2],
    [11, 3],
    [12, 4],
  ]);
});

test("max tokens ends the job at the limit with no decode after its last token", async () => {
  const { native, batcher, slot } = setup();
  const s = slot(0);
  const out = await collect(batcher.start(s, { ...job([1], [10, 11, 12, 13]), maxTokens: 2 }));
  assert.deepEqual(out, [10, 11]);
  assert.equal(native.batches.length, 2);
  assert.deepEqual(s.tokens, [1, 10]);
});

test("a job that ends while a step is in flight loses none of its tokens", async () => {
  const { batcher, slot } = setup(8);
  // 12 fills the context: the job ends when the next step is planned, after 12 was queued for it.
  const [a, b] = await Promise.all([
    collect(batcher.start(slot(0), job([1, 2, 3, 4, 5, 6], [10, 11, 12, 13], { shift: false }))),
    collect(batcher.start(slot(1), job([1], [20, 21, 22, 23, 24]))),
  ]);
  assert.deepEqual(a, [10, 11, 12]);
  assert.deepEqual(b, [20, 21, 22, 23, 24]);
});
