import { test } from "node:test";
import assert from "node:assert/strict";
import { clientBaseUrl, parseHost } from "./host.js";

const asUrl = (v: string): string => {
  const h = parseHost(v);
  const host = h.host.includes(":") ? `[${h.host}]` : h.host;
  return `${h.scheme}://${host}:${h.port}${h.path ? `/${h.path}` : ""}`;
};

void test("parses OLLAMA_HOST like Ollama's envconfig.Host", () => {
  const cases: [string, string][] = [
    ["", "http://127.0.0.1:11434"],
    ["1.2.3.4", "http://1.2.3.4:11434"],
    [":1234", "http://:1234"],
    ["1.2.3.4:1234", "http://1.2.3.4:1234"],
    ["example.com", "http://example.com:11434"],
    ["example.com:1234", "http://example.com:1234"],
    [":0", "http://:0"],
    [":66000", "http://:11434"],
    [":-1", "http://:11434"],
    ["[::1]", "http://[::1]:11434"],
    ["[::]", "http://[::]:11434"],
    ["::1", "http://[::1]:11434"],
    ["[::1]:1337", "http://[::1]:1337"],
    [" 1.2.3.4 ", "http://1.2.3.4:11434"],
    ['"1.2.3.4"', "http://1.2.3.4:11434"],
    [' " 1.2.3.4 " ', "http://1.2.3.4:11434"],
    ["'1.2.3.4'", "http://1.2.3.4:11434"],
    ["http://1.2.3.4", "http://1.2.3.4:80"],
    ["http://1.2.3.4:4321", "http://1.2.3.4:4321"],
    ["https://1.2.3.4", "https://1.2.3.4:443"],
    ["https://example.com/ollama", "https://example.com:443/ollama"],
    ["ollama.com", "https://ollama.com:443"],
  ];
  for (const [value, want] of cases) assert.equal(asUrl(value), want, JSON.stringify(value));
});

void test("the client connects to loopback for bind-all addresses", () => {
  assert.equal(clientBaseUrl(undefined), "http://127.0.0.1:11434");
  assert.equal(clientBaseUrl("0.0.0.0"), "http://127.0.0.1:11434");
  assert.equal(clientBaseUrl("0.0.0.0:8080"), "http://127.0.0.1:8080");
  assert.equal(clientBaseUrl(":9999"), "http://127.0.0.1:9999");
  assert.equal(clientBaseUrl("[::]:1"), "http://[::1]:1");
  assert.equal(clientBaseUrl("https://example.com/ollama/"), "https://example.com:443/ollama");
});
