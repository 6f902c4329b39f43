import { test } from "node:test";
import assert from "node:assert/strict";
import type { LlamaContext } from "node-llama-cpp";
import { decodeGate, decodeThenSample, serialWorkQueue } from "./native.js";

test("samplings queue behind the decode only on a one-thread pool", () => {
  assert.equal(serialWorkQueue({ UV_THREADPOOL_SIZE: "1" }), true);
  assert.equal(serialWorkQueue({ UV_THREADPOOL_SIZE: " 1 " }), true);
  // libuv's default is 4; any other size lets a sampling start beside the decode
  assert.equal(serialWorkQueue({}), false);
  assert.equal(serialWorkQueue({ UV_THREADPOOL_SIZE: "2" }), false);
});

function recorder() {
  const log: string[] = [];
  let finishDecode!: (ok: boolean) => void;
  const decode = () =>
    new Promise<void>((resolve, reject) => {
      log.push("decode");
      finishDecode = (ok) => (ok ? resolve() : reject(new Error("decode failed")));
    });
  const sample = (at: { index: number }) => {
    log.push(`sample ${at.index}`);
    return new Promise<number>((resolve) =>
      setImmediate(() => (log.push(`sampled ${at.index}`), resolve(at.index + 100))),
    );
  };
  return { log, decode, sample, finish: (ok: boolean) => finishDecode(ok) };
}

const at = (index: number) => ({ index, sampler: { applyConfig() {}, dispose() {} } });

test("pipelined: samplings are queued before the decode ends", async () => {
  const r = recorder();
  const pending = decodeThenSample(r.decode, r.sample, [at(0), at(1)], true);
  assert.deepEqual(r.log, ["decode", "sample 0", "sample 1"]);
  r.finish(true);
  assert.deepEqual(await Promise.all(await pending), [100, 101]);
});

test("not pipelined: samplings start once the decode is done", async () => {
  const r = recorder();
  const pending = decodeThenSample(r.decode, r.sample, [at(3)], false);
  assert.deepEqual(r.log, ["decode"]);
  r.finish(true);
  assert.deepEqual(await Promise.all(await pending), [103]);
});

test("a failed decode waits for its queued samplings, then fails", async () => {
  const r = recorder();
  const pending = decodeThenSample(r.decode, r.sample, [at(0)], true);
  r.finish(false);
  await assert.rejects(pending, /decode failed/);
  assert.deepEqual(r.log, ["decode", "sample 0", "sampled 0"]);
});

/** LlamaContext's decode internals as decodeGate uses them, recording what it calls. */
function fakeContext(allocation: () => unknown) {
  const log: string[] = [];
  const handle = (name: string) => ({ dispose: () => log.push(`${name} disposed`) });
  const context = {
    _ctx: { setThreads: (n: number) => log.push(`threads ${n}`) },
    _llama: { gpu: false },
    _backendContextDisposeGuard: { createPreventDisposalHandle: () => handle("guard") },
    _reserveThreads: () => log.push("reserve"),
    _scheduleToFreeReservedThreads: () => log.push("free later"),
    _threadSplitterConsumer: { getAllocationToConsume: allocation },
  };
  return { log, context: context as unknown as LlamaContext, handle };
}

test("the gate queues an uncontended decode before it returns", async () => {
  const { log, context, handle } = fakeContext(() => [2, handle("allocation")]);
  const gate = decodeGate(context)!;
  const done = gate(() => (log.push("decode"), Promise.resolve(7)));
  // The batcher hands tokens to readers right after this call: the decode must already be queued.
  assert.deepEqual(log, ["reserve", "threads 2", "decode"]);
  assert.equal(await done, 7);
  assert.deepEqual(log.slice(3), ["allocation disposed", "free later", "guard disposed"]);
});

test("the gate waits for threads another model holds before decoding", async () => {
  let grant!: (a: unknown) => void;
  const { log, context, handle } = fakeContext(() => new Promise((resolve) => (grant = resolve)));
  const done = decodeGate(context)!(() => (log.push("decode"), Promise.resolve()));
  await Promise.resolve();
  assert.deepEqual(log, ["reserve"]);
  grant([1, handle("allocation")]);
  await done;
  assert.deepEqual(log, [
    "reserve",
    "threads 1",
    "decode",
    "allocation disposed",
    "free later",
    "guard disposed",
  ]);
});
