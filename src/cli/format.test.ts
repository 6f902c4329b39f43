import { test } from "node:test";
import assert from "node:assert/strict";
import { formatEta, humanBytes, humanNumber, humanTime, renderTable } from "./format.js";
import { formatGoDuration, parseGoDuration } from "./duration.js";

void test("humanBytes matches Ollama's format.HumanBytes", () => {
  const cases: [number, string][] = [
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1 KB"],
    [1500, "1.5 KB"],
    [999999, "999 KB"],
    [1500000, "1.5 MB"],
    [1700000, "1.7 MB"],
    [999999999, "999 MB"],
    [4700000000, "4.7 GB"],
    [1999999999999, "2.0 TB"],
    [1234567890, "1.2 GB"],
    [1250000000, "1.2 GB"],
  ];
  for (const [n, want] of cases) assert.equal(humanBytes(n), want, String(n));
});

void test("humanNumber", () => {
  assert.equal(humanNumber(8_000_000_000), "8B");
  assert.equal(humanNumber(1_543_714_304), "1.5B");
  assert.equal(humanNumber(494_032_768), "494.03M");
  assert.equal(humanNumber(7_000_000), "7M");
  assert.equal(humanNumber(33_000), "33K");
  assert.equal(humanNumber(999), "999");
});

void test("humanTime", () => {
  const now = Date.parse("2025-01-10T12:00:00Z");
  const at = (ms: number): string => new Date(now + ms).toISOString();
  assert.equal(humanTime("0001-01-01T00:00:00Z", "Never", now), "Never");
  assert.equal(humanTime(undefined, "Never", now), "Never");
  assert.equal(humanTime(at(-2 * 3600e3), "", now), "2 hours ago");
  assert.equal(humanTime(at(4 * 60e3 + 500), "", now), "4 minutes from now");
  assert.equal(humanTime(at(2 * 86400e3), "", now), "2 days from now");
  assert.equal(humanTime(at(-2 * 86400e3), "", now), "2 days ago");
  assert.equal(humanTime(at(100), "", now), "Less than a second from now");
  assert.equal(humanTime(at(-61e3), "", now), "About a minute ago");
  assert.equal(humanTime(at(-3600e3), "", now), "About an hour ago");
  assert.equal(humanTime(at(-20 * 86400e3), "", now), "2 weeks ago");
  assert.equal(humanTime(at(-90 * 86400e3), "", now), "3 months ago");
  assert.equal(humanTime(at(-800 * 86400e3), "", now), "2 years ago");
  assert.equal(humanTime(at(25 * 365 * 86400e3), "", now), "Forever");
});

void test("Go durations", () => {
  assert.equal(formatGoDuration(0), "0s");
  assert.equal(formatGoDuration(1500), "1.5µs");
  assert.equal(formatGoDuration(523_400_000), "523.4ms");
  assert.equal(formatGoDuration(1_234_567_891), "1.234567891s");
  assert.equal(formatGoDuration(123_500_000_000), "2m3.5s");
  assert.equal(formatGoDuration(3600e9), "1h0m0s");
  assert.equal(parseGoDuration("5m"), 300e9);
  assert.equal(parseGoDuration("1h30m"), 5400e9);
  assert.equal(parseGoDuration("1.5s"), 1.5e9);
  assert.equal(parseGoDuration("-1s"), -1e9);
  assert.equal(parseGoDuration("0"), 0);
  assert.throws(() => parseGoDuration("5"), /^Error: time: missing unit in duration "5"$/);
  assert.throws(() => parseGoDuration("abc"), /time: invalid duration "abc"/);
  assert.throws(() => parseGoDuration("5y"), /time: unknown unit "y" in duration "5y"/);
});

void test("progress ETA", () => {
  assert.equal(formatEta(0), "0s");
  assert.equal(formatEta(59_600), "1m0s");
  assert.equal(formatEta(3599e3), "59m59s");
  assert.equal(formatEta(3900e3), "1h5m");
  assert.equal(formatEta(101 * 3600e3), "99h+");
});

void test("tables are laid out like Ollama's tablewriter settings", () => {
  const out = renderTable(
    [
      ["llama3.2:latest", "a80c4f17acd5", "2.0 GB", "2 hours ago"],
      ["qwen:0.5b", "b5dc5e784f2a", "394 MB", "3 weeks ago"],
    ],
    { header: ["NAME", "ID", "SIZE", "MODIFIED"] },
  );
  assert.equal(
    out,
    // The header's last cell is padded to the column, then one space.
    "NAME               ID              SIZE      MODIFIED    \n" +
      "llama3.2:latest    a80c4f17acd5    2.0 GB    2 hours ago    \n" +
      "qwen:0.5b          b5dc5e784f2a    394 MB    3 weeks ago    \n",
  );
});

void test("long cells wrap at spaces within the column limit", () => {
  const out = renderTable([["", "one two three four five six seven eight"]], { maxColWidth: 10 });
  // tablewriter fills the short first column's extra lines with two spaces, shifting them.
  assert.equal(
    out,
    "    one two       \n      three four    \n      five six      \n      seven         \n      eight         \n",
  );
});
