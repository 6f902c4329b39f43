import { test } from "node:test";
import assert from "node:assert/strict";
import { describeConfig, loadConfig, parseHost, vramContextLength } from "./index.js";

test("OLLAMA_HOST follows Ollama's parsing rules", () => {
  const cases: Array<[string, string]> = [
    ["", "http://127.0.0.1:11434"],
    ["1.2.3.4", "http://1.2.3.4:11434"],
    [":1234", "http://:1234"],
    ["1.2.3.4:1234", "http://1.2.3.4:1234"],
    ["example.com", "http://example.com:11434"],
    ["example.com:1234", "http://example.com:1234"],
    ["http://1.2.3.4", "http://1.2.3.4:80"],
    ["https://1.2.3.4", "https://1.2.3.4:443"],
    ["https://1.2.3.4:1234", "https://1.2.3.4:1234"],
    ["[::1]", "http://[::1]:11434"],
    ["[::1]:1337", "http://[::1]:1337"],
    ["0.0.0.0", "http://0.0.0.0:11434"],
    ["example.com/path", "http://example.com:11434/path"],
    ["example.com:56789/path", "http://example.com:56789/path"],
    ["1.2.3.4:99999", "http://1.2.3.4:11434"],
    ["ollama.com", "https://ollama.com:443"],
  ];
  for (const [input, want] of cases) assert.equal(parseHost(input).url, want, input);
});

test("defaults and validation", () => {
  const warnings: string[] = [];
  const c = loadConfig({ HOME: "/h", OLLAMA_NUM_PARALLEL: "x", OLLAMA_KEEP_ALIVE: "'10m'" }, (m) =>
    warnings.push(m),
  );
  assert.equal(c.numParallel, 0);
  assert.equal(c.keepAlive, 600_000);
  assert.equal(c.maxQueue, 512);
  assert.equal(c.contextLength, 4096);
  assert.equal(c.kvCacheType, "f16");
  assert.match(warnings[0] ?? "", /OLLAMA_NUM_PARALLEL/);
  assert.match(describeConfig(c), /^server config env="map\[/);
});

test("keep alive forms", () => {
  assert.equal(loadConfig({ OLLAMA_KEEP_ALIVE: "-1" }).keepAlive, "forever");
  assert.equal(loadConfig({ OLLAMA_KEEP_ALIVE: "30" }).keepAlive, 30_000);
  assert.equal(loadConfig({ OLLAMA_KEEP_ALIVE: "0" }).keepAlive, 0);
  assert.equal(loadConfig({ OLLAMA_KEEP_ALIVE: "1h" }).keepAlive, 3_600_000);
});

test("OLLAMA_CONTEXT_LENGTH unset: the default follows Ollama's VRAM tiers", () => {
  const GiB = 1024 ** 3;
  assert.equal(loadConfig({}).contextLengthSet, false);
  assert.equal(loadConfig({ OLLAMA_CONTEXT_LENGTH: "8192" }).contextLengthSet, true);
  assert.equal(loadConfig({ OLLAMA_CONTEXT_LENGTH: "8192" }).contextLength, 8192);
  assert.match(describeConfig(loadConfig({})), /OLLAMA_CONTEXT_LENGTH:0 /);
  assert.match(describeConfig(loadConfig({ OLLAMA_CONTEXT_LENGTH: "8192" })), /OLLAMA_CONTEXT_LENGTH:8192 /);
  assert.equal(vramContextLength(0), 4096);
  assert.equal(vramContextLength(16 * GiB), 4096);
  assert.equal(vramContextLength(23 * GiB - 1), 4096);
  assert.equal(vramContextLength(23 * GiB), 32768);
  assert.equal(vramContextLength(46.9 * GiB), 32768);
  assert.equal(vramContextLength(47 * GiB), 262144);
  assert.equal(vramContextLength(80 * GiB), 262144);
});

test("TOLLAMA_IDLE_POLL: auto by default, a boolean turns it on or off, anything else warns", () => {
  assert.equal(loadConfig({}).idlePoll, "auto");
  assert.equal(loadConfig({ TOLLAMA_IDLE_POLL: "1" }).idlePoll, "on");
  assert.equal(loadConfig({ TOLLAMA_IDLE_POLL: "false" }).idlePoll, "off");
  const warnings: string[] = [];
  assert.equal(loadConfig({ TOLLAMA_IDLE_POLL: "always" }, (m) => warnings.push(m)).idlePoll, "auto");
  assert.match(warnings.join("\n"), /TOLLAMA_IDLE_POLL="always"/);
  assert.match(describeConfig(loadConfig({})), /TOLLAMA_IDLE_POLL:auto\]/);
});

test("OLLAMA_GPU_OVERHEAD: bytes kept free on each GPU, 0 by default, a warning when not a count", () => {
  assert.equal(loadConfig({}).gpuOverhead, 0);
  assert.equal(loadConfig({ OLLAMA_GPU_OVERHEAD: "1073741824" }).gpuOverhead, 1024 ** 3);
  const warnings: string[] = [];
  assert.equal(loadConfig({ OLLAMA_GPU_OVERHEAD: "1GB" }, (m) => warnings.push(m)).gpuOverhead, 0);
  assert.match(warnings.join("\n"), /OLLAMA_GPU_OVERHEAD="1GB"/);
  assert.match(describeConfig(loadConfig({ OLLAMA_GPU_OVERHEAD: "512" })), /OLLAMA_GPU_OVERHEAD:512 /);
});

test("OLLAMA_KV_CACHE_TYPE takes llama-server's cache types; anything else warns and is f16", () => {
  for (const t of ["q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1", "f32", "bf16"])
    assert.equal(loadConfig({ OLLAMA_KV_CACHE_TYPE: t.toUpperCase() }).kvCacheType, t);
  const warnings: string[] = [];
  assert.equal(loadConfig({ OLLAMA_KV_CACHE_TYPE: "q3_k" }, (m) => warnings.push(m)).kvCacheType, "f16");
  assert.match(warnings[0] ?? "", /invalid OLLAMA_KV_CACHE_TYPE "q3_k", using f16/);
  // a quantized V cache needs flash attention; unquantized types do not
  assert.equal(
    loadConfig({ OLLAMA_KV_CACHE_TYPE: "q5_1", OLLAMA_FLASH_ATTENTION: "0" }, () => {}).kvCacheType,
    "f16",
  );
  assert.equal(loadConfig({ OLLAMA_KV_CACHE_TYPE: "bf16", OLLAMA_FLASH_ATTENTION: "0" }).kvCacheType, "bf16");
});

test("OLLAMA_NUM_PARALLEL: unset is automatic (0); an explicit 0 is 1, as Ollama's max(n, 1)", () => {
  assert.equal(loadConfig({}).numParallel, 0);
  assert.equal(loadConfig({ OLLAMA_NUM_PARALLEL: "0" }).numParallel, 1);
  assert.equal(loadConfig({ OLLAMA_NUM_PARALLEL: "4" }).numParallel, 4);
  assert.equal(loadConfig({ OLLAMA_NUM_PARALLEL: "x" }, () => {}).numParallel, 0);
});
