import { test } from "node:test";
import assert from "node:assert/strict";
import { formatGoDuration, parseGoDuration } from "./duration.js";

void test("ParseDuration accepts Go forms", () => {
  const cases: Array<[string, bigint]> = [
    ["0", 0n],
    ["-0", 0n],
    ["5m", 300_000_000_000n],
    ["1h30m", 5_400_000_000_000n],
    ["300ms", 300_000_000n],
    ["1.5s", 1_500_000_000n],
    [".5s", 500_000_000n],
    ["1.s", 1_000_000_000n],
    ["-1m", -60_000_000_000n],
    ["+2h", 7_200_000_000_000n],
    ["1us", 1000n],
    ["1µs", 1000n],
    ["1μs", 1000n],
    ["2ns", 2n],
    ["1h1m1s1ms", 3_661_001_000_000n],
    ["2562047h47m16.854775807s", 9_223_372_036_854_775_807n],
  ];
  for (const [s, want] of cases) assert.equal(parseGoDuration(s), want, s);
});

void test("ParseDuration errors match Go", () => {
  const cases: Array<[string, string]> = [
    ["", 'time: invalid duration ""'],
    ["abc", 'time: invalid duration "abc"'],
    ["-1", 'time: missing unit in duration "-1"'],
    ["5", 'time: missing unit in duration "5"'],
    ["5x", 'time: unknown unit "x" in duration "5x"'],
    ["1hour", 'time: unknown unit "hour" in duration "1hour"'],
    [".s", 'time: invalid duration ".s"'],
    ["1é", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
    ["2562047h47m16.854775808s", 'time: invalid duration "2562047h47m16.854775808s"'],
    ["9999999999999999999h", 'time: invalid duration "9999999999999999999h"'],
  ];
  for (const [s, want] of cases) assert.throws(() => parseGoDuration(s), { message: want }, s);
});

void test("Duration.String", () => {
  assert.equal(formatGoDuration(0n), "0s");
  assert.equal(formatGoDuration(300_000_000_000n), "5m0s");
  assert.equal(formatGoDuration(5_400_000_000_000n), "1h30m0s");
  assert.equal(formatGoDuration(300_000_000n), "300ms");
  assert.equal(formatGoDuration(1_500n), "1.5µs");
  assert.equal(formatGoDuration(2n), "2ns");
  assert.equal(formatGoDuration(1_500_000_000), "1.5s");
  assert.equal(formatGoDuration(-60_000_000_000n), "-1m0s");
  assert.equal(formatGoDuration(9_223_372_036_854_775_807n), "2562047h47m16.854775807s");
});
