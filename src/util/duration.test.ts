import { test } from "node:test";
import assert from "node:assert/strict";
import { formatGoDuration, parseGoDuration } from "./duration.js";

test("parses Go durations", () => {
  assert.equal(parseGoDuration("5m"), 300_000);
  assert.equal(parseGoDuration("1h30m"), 5_400_000);
  assert.equal(parseGoDuration("300ms"), 300);
  assert.equal(parseGoDuration("-1s"), -1000);
  assert.equal(parseGoDuration("1.5s"), 1500);
  assert.equal(parseGoDuration("0"), 0);
});

test("rejects bad durations with Go's messages", () => {
  assert.throws(() => parseGoDuration("abc"), { message: 'time: invalid duration "abc"' });
  assert.throws(() => parseGoDuration("10"), { message: 'time: missing unit in duration "10"' });
  assert.throws(() => parseGoDuration(""), { message: 'time: invalid duration ""' });
});

test("formats like Go", () => {
  assert.equal(formatGoDuration(300_000), "5m0s");
  assert.equal(formatGoDuration(3_600_000), "1h0m0s");
  assert.equal(formatGoDuration(1500), "1.5s");
  assert.equal(formatGoDuration(250), "250ms");
  assert.equal(formatGoDuration(0), "0s");
});
