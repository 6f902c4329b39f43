import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudSource, serverJsonDisablesCloud } from "./cloud.js";

test("cloudSource names the switches as Ollama does", () => {
  assert.equal(cloudSource(false, false), "none");
  assert.equal(cloudSource(true, false), "env");
  assert.equal(cloudSource(false, true), "config");
  assert.equal(cloudSource(true, true), "both");
});

test("server.json's disable_ollama_cloud; missing or broken files count as unset", () => {
  const dir = mkdtempSync(join(tmpdir(), "tollama-cloud-"));
  try {
    const file = join(dir, "server.json");
    assert.equal(serverJsonDisablesCloud(file), false);
    writeFileSync(file, '{"disable_ollama_cloud": true}');
    assert.equal(serverJsonDisablesCloud(file), true);
    writeFileSync(file, '{"disable_ollama_cloud": false}');
    assert.equal(serverJsonDisablesCloud(file), false);
    writeFileSync(file, "{not json");
    assert.equal(serverJsonDisablesCloud(file), false);
    writeFileSync(file, "null");
    assert.equal(serverJsonDisablesCloud(file), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
