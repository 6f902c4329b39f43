import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeThenSample, serialWorkQueue } from "./native.js";

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
