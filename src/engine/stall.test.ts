import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { LOAD_STALLED, watchLoad } from "./stall.js";

test("a load that keeps making progress is not stopped; one that stalls fails with Ollama's line", async () => {
  const busy = watchLoad(40);
  for (let i = 0; i < 6; i++) {
    await sleep(15);
    busy.progress();
  }
  assert.equal(busy.signal.aborted, false);
  busy.stop();

  const stuck = watchLoad(20);
  await sleep(40);
  assert.equal(stuck.signal.aborted, true);
  const err = stuck.failure(new Error("aborted"));
  assert.ok(err instanceof Error && err.message === LOAD_STALLED);
  stuck.stop();
});

test("without a timeout nothing fires; the caller's own abort passes through as its error", async () => {
  const caller = new AbortController();
  const forever = watchLoad(undefined, caller.signal);
  await sleep(10);
  assert.equal(forever.signal.aborted, false);
  caller.abort();
  assert.equal(forever.signal.aborted, true);
  const own = new Error("client left");
  assert.equal(forever.failure(own), own);
  forever.stop();
});
