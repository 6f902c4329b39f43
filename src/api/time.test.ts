import { test } from "node:test";
import assert from "node:assert/strict";
import { rfc3339Nano } from "./time.js";

test("RFC 3339 with nanoseconds, zeros trimmed", () => {
  assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), "2023-11-14T22:13:20.123456789Z");
  assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), "2023-11-14T22:13:20.12Z");
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), "2023-11-14T22:13:20Z");
  assert.match(rfc3339Nano(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
});
