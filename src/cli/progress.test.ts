import { test } from "node:test";
import assert from "node:assert/strict";
import { Bar, Progress, Spinner } from "./progress.js";
import { MemoryOutput } from "./io.js";

void test("a running bar shows percent, sizes, rate and time left", () => {
  let now = 0;
  const bar = new Bar("pulling 6a0746a1ec1a:", 4_700_000_000, 0, () => now);
  now = 2000;
  bar.set(1_000_000_000);
  now = 4000;
  bar.set(2_000_000_000);
  const line = bar.render(120);
  assert.match(line, /^pulling 6a0746a1ec1a: {2}43% ▕█+ +▏ {3}2 GB\/4\.7 GB {2}500 MB\/s {6}5s$/);
  // One column is left free, as Ollama does, so the line never wraps.
  assert.equal([...line].length, 119);
});

void test("a finished bar shows the total only", () => {
  let now = 0;
  const bar = new Bar("pulling abc:", 1_700_000, 0, () => now);
  now = 1000;
  bar.set(1_700_000);
  const line = bar.render(100);
  assert.match(line, /^pulling abc: 100% ▕█+▏ 1\.7 MB {25}$/);
  assert.equal([...line].length, 99);
});

void test("a spinner shows its message and a frame until stopped", () => {
  const s = new Spinner("writing manifest");
  assert.equal(s.render(), "writing manifest ⠋ ");
  s.stop();
  assert.equal(s.render(), "writing manifest ");
});

void test("plain output prints each status and each finished layer once", () => {
  const out = new MemoryOutput(false);
  const p = new Progress(out);
  p.add(new Spinner("pulling manifest"));
  const bar = new Bar("pulling abc:", 100, 0);
  p.add(bar);
  p.update(bar, 50);
  p.update(bar, 100);
  p.update(bar, 100);
  p.add(new Spinner("success"));
  p.stop();
  assert.equal(out.text, "pulling manifest\npulling abc: 100% 100 B\nsuccess\n");
});

void test("terminal output redraws lines in place", () => {
  const out = new MemoryOutput(true, 60);
  const p = new Progress(out);
  p.add(new Spinner("pulling manifest"));
  p.add(new Spinner("success"));
  p.stop();
  assert.ok(out.text.includes("pulling manifest \x1b[K\nsuccess \x1b[K"));
  assert.ok(out.text.endsWith("\n"));
});
