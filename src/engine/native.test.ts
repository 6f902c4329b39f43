import { test } from "node:test";
import assert from "node:assert/strict";
import { serialWorkQueue } from "./native.js";

test("samplings queue behind the decode only on a one-thread pool", () => {
  assert.equal(serialWorkQueue({ UV_THREADPOOL_SIZE: "1" }), true);
  assert.equal(serialWorkQueue({ UV_THREADPOOL_SIZE: " 1 " }), true);
  // libuv's default is 4; any other size lets a sampling start beside the decode
  assert.equal(serialWorkQueue({}), false);
  assert.equal(serialWorkQueue({ UV_THREADPOOL_SIZE: "2" }), false);
});
