import { test } from "node:test";
import assert from "node:assert/strict";
import { rfc3339Nano } from "./time.js";

test("RFC 3339 with nanoseconds, zeros trimmed", () => {
  assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), "2023-11-14T22:13:20.123456789Z");
  assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), "2023-11-14T22:13:20.12Z");
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), "2023-11-14T22:13:20Z");
  assert.match(rfc3339Nano(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  // the same second twice (its date part is cached), then the next one
  assert.equal(rfc3339Nano(1_700_000_000_000_000_001n), "2023-11-14T22:13:20.000000001Z");
  assert.equal(rfc3339Nano(1_700_000_001_500_000_000n), "2023-11-14T22:13:21.5Z");
});

test("the clock reads the time it is", () => {
  const before = Date.now();
  const stamp = Date.parse(rfc3339Nano());
  const after = Date.now();
  assert.ok(stamp >= before - 1 && stamp <= after, `${stamp} within [${before}, ${after}]`);
});
