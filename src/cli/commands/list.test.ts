import { test } from "node:test";
import assert from "node:assert/strict";
import { listRows, processorText, psRows } from "./list.js";

const NOW = Date.parse("2025-01-10T12:00:00Z");

void test("list rows", () => {
  const rows = listRows(
    [
      {
        name: "llama3.2:latest",
        digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        size: 2019393189,
        modified_at: "2025-01-10T10:00:00Z",
      },
      {
        name: "Qwen:0.5b",
        digest: "b5dc5e784f2a0000",
        size: 394_000_000,
        modified_at: "2025-01-10T11:59:30Z",
      },
      { name: "cloud:latest", digest: "c0ffee0000000000", size: 384, remote_model: "x" },
    ],
    undefined,
    NOW,
  );
  assert.deepEqual(rows, [
    ["llama3.2:latest", "a80c4f17acd5", "2.0 GB", "2 hours ago"],
    ["Qwen:0.5b", "b5dc5e784f2a", "394 MB", "30 seconds ago"],
    ["cloud:latest", "c0ffee000000", "-", "Never"],
  ]);
  assert.equal(listRows([{ name: "Qwen:0.5b", digest: "d", size: 1 }], "qwen", NOW).length, 1);
});

void test("processor column", () => {
  assert.equal(processorText(100, 0), "100% CPU");
  assert.equal(processorText(100, 100), "100% GPU");
  assert.equal(processorText(100, 40), "60%/40% CPU/GPU");
  assert.equal(processorText(100, 200), "Unknown");
});

void test("ps rows", () => {
  const rows = psRows(
    [
      {
        name: "a:latest",
        digest: "0123456789abcdef",
        size: 5_400_000_000,
        size_vram: 0,
        expires_at: "2025-01-10T12:04:30Z",
        context_length: 4096,
      },
      {
        name: "b:latest",
        digest: "fedcba9876543210",
        size: 1000,
        size_vram: 1000,
        expires_at: "2025-01-10T11:00:00Z",
        context_length: 2048,
      },
    ],
    undefined,
    NOW,
  );
  assert.deepEqual(rows, [
    ["a:latest", "0123456789ab", "5.4 GB", "100% CPU", "4096", "4 minutes from now"],
    ["b:latest", "fedcba987654", "1 KB", "100% GPU", "2048", "Stopping..."],
  ]);
});
