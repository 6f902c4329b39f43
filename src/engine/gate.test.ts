import { test } from "node:test";
import assert from "node:assert/strict";
import type { LlamaContext } from "node-llama-cpp";
import { decodeGate, ThreadShare } from "./gate.js";

test("contexts get the threads they want while the sum fits the budget", () => {
  const share = new ThreadShare(8);
  const leaveA = share.join(4);
  share.join(4);
  assert.equal(share.threadsFor(4), 4);
  // a third one over the budget: each gets its proportional part
  const leaveC = share.join(8);
  assert.equal(share.threadsFor(4), 2);
  assert.equal(share.threadsFor(8), 4);
  leaveC();
  leaveC(); // once only
  assert.equal(share.threadsFor(4), 4);
  leaveA();
  assert.equal(share.threadsFor(8), 8);
});

test("the share tells when the first context starts decoding and the last one stops", () => {
  const told: boolean[] = [];
  const share = new ThreadShare(2, (busy) => told.push(busy));
  const leaveA = share.join(2);
  const leaveB = share.join(1);
  leaveA();
  leaveA();
  assert.deepEqual(told, [true]);
  leaveB();
  share.join(2)();
  assert.deepEqual(told, [true, false, true, false]);
});

test("where decodes take turns (serial), every context gets all it wants, busy still told", () => {
  const told: boolean[] = [];
  const share = new ThreadShare(2, (busy) => told.push(busy), true);
  const leaveA = share.join(2);
  const leaveB = share.join(2);
  assert.equal(share.threadsFor(2), 2);
  leaveA();
  leaveB();
  assert.deepEqual(told, [true, false]);
});

test("a share is never below one thread, and 0 means no budget", () => {
  const share = new ThreadShare(2);
  for (let i = 0; i < 5; i++) share.join(2);
  assert.equal(share.threadsFor(2), 1);
  const unlimited = new ThreadShare(0);
  unlimited.join(16);
  assert.equal(unlimited.threadsFor(16), 16);
});

/** LlamaContext's internals as the gate uses them, recording what it calls. */
function fakeContext(gpu: string | false = false, idealThreads = 2) {
  const log: string[] = [];
  const context = {
    idealThreads,
    _ctx: { setThreads: (n: number) => log.push(`threads ${n}`) },
    _llama: { gpu },
    _backendContextDisposeGuard: {
      createPreventDisposalHandle: () => (log.push("guard"), { dispose: () => log.push("guard disposed") }),
    },
  };
  return { log, context: context as unknown as LlamaContext };
}

test("a decode is queued before the gate returns, with no thread change when alone", async () => {
  const { log, context } = fakeContext();
  const gate = decodeGate(context, new ThreadShare(2))!;
  const release = gate.hold();
  const done = gate.decode(() => (log.push("decode"), Promise.resolve(7)));
  // The batcher hands tokens to readers right after this call: the decode must already be queued.
  assert.deepEqual(log, ["guard", "decode"]);
  assert.equal(await done, 7);
  release();
  release();
  assert.deepEqual(log, ["guard", "decode", "guard disposed"]);
});

test("a second context decoding at once halves the threads, and they come back after it", async () => {
  const share = new ThreadShare(2);
  const a = fakeContext();
  const b = fakeContext();
  const gateA = decodeGate(a.context, share)!;
  const gateB = decodeGate(b.context, share)!;
  gateA.hold();
  await gateA.decode(() => Promise.resolve());
  const releaseB = gateB.hold();
  await gateA.decode(() => Promise.resolve());
  await gateB.decode(() => Promise.resolve());
  releaseB();
  await gateA.decode(() => Promise.resolve());
  assert.deepEqual(a.log, ["guard", "threads 1", "threads 2"]);
  assert.deepEqual(b.log, ["guard", "threads 1", "guard disposed"]);
});

test("on Vulkan, decodes of different contexts run one at a time", async () => {
  const share = new ThreadShare(2);
  const order: string[] = [];
  let finishFirst!: () => void;
  const first = decodeGate(fakeContext("vulkan").context, share)!.decode(
    () => new Promise<void>((resolve) => (order.push("first"), (finishFirst = resolve))),
  );
  const second = decodeGate(fakeContext("vulkan").context, share)!.decode(() => {
    order.push("second");
    return Promise.resolve();
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ["first"]);
  finishFirst();
  await Promise.all([first, second]);
  assert.deepEqual(order, ["first", "second"]);
});

test("unknown internals give no gate", () => {
  assert.equal(decodeGate({} as LlamaContext, new ThreadShare(2)), undefined);
});
