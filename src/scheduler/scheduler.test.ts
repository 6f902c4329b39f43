import { test } from "node:test";
import assert from "node:assert/strict";
import { createScheduler, type RunnerSpec } from "./scheduler.js";
import { createFakeEngine } from "./fake-engine.js";
import type { Clock } from "./clock.js";

function manualClock() {
  let t = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let id = 0;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => t,
    setTimer(fn, ms) {
      timers.set(++id, { at: t + ms, fn });
      return id;
    },
    clearTimer: (h) => void timers.delete(h as number),
    advance(ms) {
      t += ms;
      for (const [k, v] of [...timers]) {
        if (v.at <= t) {
          timers.delete(k);
          v.fn();
        }
      }
    },
  };
  return clock;
}

function spec(path: string, sequences = 1, contextSize = 64): RunnerSpec {
  return {
    name: path,
    digest: "d",
    details: {},
    load: {
      path,
      contextSize,
      sequences,
      batchSize: 8,
      threads: 1,
      gpuLayers: 0,
      flashAttention: false,
      kvCacheType: "f16",
      adapters: [],
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

test("keep_alive expiry unloads an idle model", async () => {
  const engine = createFakeEngine();
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 10, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  const lease = await s.acquire(spec("a"), undefined);
  assert.equal(s.running().length, 1);
  assert.equal(s.running()[0]?.expiresAt, undefined, "no expiry before it was first idle");
  lease.release();
  assert.equal(s.running()[0]?.expiresAt, 1000);
  // busy again, it keeps the expiry it had when idle, as Ollama's /api/ps shows it
  clock.advance(500);
  const again = await s.acquire(spec("a"), undefined);
  assert.equal(s.running()[0]?.expiresAt, 1000);
  again.release();
  assert.equal(s.running()[0]?.expiresAt, 1500);
  clock.advance(999);
  assert.equal(s.running().length, 1);
  clock.advance(1);
  await tick();
  assert.equal(s.running().length, 0);
  assert.deepEqual(engine.disposed, ["a"]);
});

test("keep_alive 0 unloads right after; forever never", async () => {
  const engine = createFakeEngine();
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 10, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  (await s.acquire(spec("a"), 0)).release();
  await tick();
  assert.equal(s.running().length, 0);
  (await s.acquire(spec("b"), "forever")).release();
  clock.advance(1e12);
  await tick();
  assert.equal(s.running().length, 1);
});

async function leased(s: ReturnType<typeof createScheduler>, name: string, signal?: AbortSignal) {
  const lease = await s.acquire(spec(name), undefined);
  try {
    await lease.sequence([], signal);
  } catch (err) {
    lease.release();
    throw err;
  }
  return lease;
}

test("requests beyond the sequences of a loaded model wait in FIFO order, however many", async () => {
  const engine = createFakeEngine();
  const s = createScheduler({
    engine,
    clock: manualClock(),
    maxQueue: 1,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  const first = await leased(s, "a");
  const order: number[] = [];
  const waiting = [1, 2, 3].map((n) => leased(s, "a").then((l) => (order.push(n), l)));
  await tick();
  first.release();
  for (const w of waiting) (await w).release();
  assert.deepEqual(order, [1, 2, 3]);
});

test("OLLAMA_MAX_QUEUE bounds the requests waiting for a model to load, as Ollama's pending queue", async () => {
  const engine = createFakeEngine();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const slow = {
    ...engine,
    loadModel: async (o: Parameters<typeof engine.loadModel>[0]) => (await gate, engine.loadModel(o)),
  };
  const s = createScheduler({
    engine: slow,
    clock: manualClock(),
    maxQueue: 1,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  // one being served and one queued wait for the load; the third is turned away
  const served = s.acquire(spec("a"), undefined);
  const queued = s.acquire(spec("a"), undefined);
  await tick();
  await assert.rejects(s.acquire(spec("b"), undefined), { status: 503 });
  open();
  (await served).release();
  (await queued).release();
  // once loaded, requests for it no longer count
  (await s.acquire(spec("a"), undefined)).release();
});

test("a waiter that aborts is removed with 499", async () => {
  const engine = createFakeEngine();
  const s = createScheduler({
    engine,
    clock: manualClock(),
    maxQueue: 5,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  const first = await leased(s, "a");
  const ac = new AbortController();
  const waiting = leased(s, "a", ac.signal);
  await tick();
  ac.abort();
  await assert.rejects(waiting, { status: 499 });
  first.release();
  (await leased(s, "a")).release();
  assert.equal(s.running()[0]?.active, 0);
});

test("different load options reload the model; max loaded models evicts an idle one", async () => {
  const engine = createFakeEngine();
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 5, maxLoadedModels: 1, defaultKeepAlive: 1000 });
  (await s.acquire(spec("a", 1, 64), undefined)).release();
  (await s.acquire(spec("a", 1, 128), undefined)).release();
  assert.equal(engine.loads.length, 2);
  assert.deepEqual(engine.disposed, ["a"]);
  (await s.acquire(spec("b"), undefined)).release();
  assert.deepEqual(engine.disposed, ["a", "a"]);
  assert.deepEqual(
    s.running().map((r) => r.spec.name),
    ["b"],
  );
});

test("unloads go in Ollama's order: the shortest keep_alive first, forever last, then by path", async () => {
  const engine = createFakeEngine([1], { ram: 2500, perModel: 1000 });
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 5, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  (await s.acquire(spec("a"), "forever")).release();
  (await s.acquire(spec("b"), 60_000)).release();
  // b was used last, but a is kept forever: b goes
  (await s.acquire(spec("c"), 60_000)).release();
  assert.deepEqual(engine.disposed, ["b"]);
  // c and d have the same keep_alive: the path decides
  (await s.acquire(spec("d"), 60_000)).release();
  assert.deepEqual(engine.disposed, ["b", "c"]);
});

test("with OLLAMA_MAX_LOADED_MODELS unset, three models stay loaded, as in Ollama", async () => {
  const engine = createFakeEngine();
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 5, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  for (const m of ["a", "b", "c"]) (await s.acquire(spec(m), undefined)).release();
  assert.deepEqual(engine.disposed, []);
  (await s.acquire(spec("d"), undefined)).release();
  assert.deepEqual(engine.disposed, ["a"]);
  assert.equal(s.running().length, 3);
});

test("idle models are evicted until a new one fits in memory", async () => {
  const engine = createFakeEngine([1], { ram: 2500, perModel: 1000 });
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 5, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  (await s.acquire(spec("a"), undefined)).release();
  clock.advance(1);
  (await s.acquire(spec("b"), undefined)).release();
  clock.advance(1);
  (await s.acquire(spec("c"), undefined)).release();
  assert.deepEqual(engine.disposed, ["a"]);
  assert.deepEqual(
    s
      .running()
      .map((r) => r.spec.name)
      .sort(),
    ["b", "c"],
  );
});

test("a model in use is never evicted; a model that cannot fit at all is a clear error", async () => {
  const engine = createFakeEngine([1], { ram: 1500, perModel: 1000 });
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 5, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  const busy = await s.acquire(spec("a"), undefined);
  const waiting = s.acquire(spec("b"), undefined);
  await tick();
  assert.deepEqual(engine.disposed, [], "busy model kept");
  busy.release();
  (await waiting).release();
  assert.deepEqual(engine.disposed, ["a"]);
  const tooBig = createScheduler({
    engine: createFakeEngine([1], { ram: 500, perModel: 1000 }),
    clock,
    maxQueue: 5,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  await assert.rejects(tooBig.acquire(spec("x"), undefined), /model requires more system memory/);
});

test("a model too big for the GPU evicts idle ones first, then loads alone with the rest on the CPU", async () => {
  // 3000 bytes of VRAM, each model wants 2000 of it and 1000 of RAM
  const engine = createFakeEngine([1], { ram: 10_000, perModel: 1000, vram: 3000, perModelVram: 2000 });
  const clock = manualClock();
  const s = createScheduler({ engine, clock, maxQueue: 5, maxLoadedModels: 0, defaultKeepAlive: 1000 });
  (await s.acquire(spec("a"), undefined)).release();
  (await s.acquire(spec("b"), undefined)).release();
  assert.deepEqual(engine.disposed, ["a"], "a full fit on the GPU comes before keeping a loaded");
  const small = createScheduler({
    engine: createFakeEngine([1], { ram: 10_000, perModel: 1000, vram: 500, perModelVram: 2000 }),
    clock,
    maxQueue: 5,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  (await small.acquire(spec("split"), undefined)).release();
  assert.deepEqual(
    small.running().map((r) => r.spec.name),
    ["split"],
  );
  const GiB = 1024 ** 3;
  const neither = createScheduler({
    engine: createFakeEngine([1], { ram: 2 * GiB, perModel: GiB, vram: GiB / 2, perModelVram: 2 * GiB }),
    clock,
    maxQueue: 5,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  // 1 GiB of RAM plus the 1.5 GiB that does not fit in VRAM
  await assert.rejects(
    neither.acquire(spec("x"), undefined),
    /model requires more system memory \(2\.5 GiB\) than is available \(2\.0 GiB\)/,
  );
});

test("unset parallelism takes the most of 8, 4, 2, 1 sequences that fits in three quarters of free memory", async () => {
  const cases = [
    { ram: 1e6, want: 8 },
    { ram: 10_000, want: 4 }, // 8: 9000 > 7500; 4: 5000 fits
    { ram: 5_000, want: 2 }, // 4: 5000 > 3750; 2: 3000 fits
    { ram: 3_000, want: 1 },
  ];
  for (const { ram, want } of cases) {
    const engine = createFakeEngine([1], { ram, perModel: 1000, perSequence: 1000 });
    const s = createScheduler({
      engine,
      clock: manualClock(),
      maxQueue: 8,
      maxLoadedModels: 0,
      defaultKeepAlive: 1000,
    });
    const lease = await s.acquire(spec("/auto", 0), undefined);
    assert.equal(lease.model.sequences, want, `ram ${ram}`);
    lease.release();
    await s.shutdown();
  }
  // An explicit OLLAMA_NUM_PARALLEL is used as given.
  const engine = createFakeEngine([1], { ram: 3_000, perModel: 1000, perSequence: 1000 });
  const s = createScheduler({
    engine,
    clock: manualClock(),
    maxQueue: 8,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
  });
  await assert.rejects(s.acquire(spec("/fixed", 4), undefined), /memory/);
  await s.shutdown();
});

test("onLoaded hears of each load with its options, time and the loaded model's facts", async () => {
  const engine = createFakeEngine();
  const clock = manualClock();
  const heard: unknown[] = [];
  const s = createScheduler({
    engine,
    clock,
    maxQueue: 10,
    maxLoadedModels: 0,
    defaultKeepAlive: 1000,
    onLoaded: (sp, load, ms, facts) => heard.push([sp.name, load.threads, ms, facts.sizeBytes]),
  });
  (await s.acquire(spec("a"), undefined)).release();
  assert.deepEqual(heard, [["a", 1, 0, 1000]]);
});
