import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalHeaderKey, originPolicy, sameOrigin } from "./cors.js";
import { allowedOrigins } from "../config/index.js";

test("Ollama's default origins; browser extensions only when OLLAMA_ORIGINS names them", () => {
  const defaults = originPolicy(allowedOrigins(""));
  assert.equal(defaults.allowAll, false);
  for (const o of [
    "http://localhost",
    "http://localhost:3000",
    "https://127.0.0.1:8080",
    "vscode-webview://abc",
  ])
    assert.ok(defaults.allows(o), o);
  for (const o of [
    "chrome-extension://abcdef",
    "moz-extension://x",
    "http://example.com",
    "http://localhost.evil.com",
  ])
    assert.ok(!defaults.allows(o), o);
  assert.ok(originPolicy(allowedOrigins("chrome-extension://*")).allows("chrome-extension://abcdef"));
  const all = originPolicy(allowedOrigins("*"));
  assert.ok(all.allowAll && all.allows("http://example.com"));
  assert.ok(originPolicy(allowedOrigins("http://*.example.com")).allows("http://a.example.com"));
});

test("a request to the server's own address is not cross-origin", () => {
  assert.ok(sameOrigin("http://192.0.2.2:11434", "192.0.2.2:11434"));
  assert.ok(sameOrigin("https://myhost.lan", "myhost.lan"));
  assert.ok(!sameOrigin("http://evil.com", "myhost.lan"));
  assert.ok(!sameOrigin("http://x", undefined));
});

test("allowed headers are sent in Go's canonical form", () => {
  assert.equal(canonicalHeaderKey("OpenAI-Beta"), "Openai-Beta");
  assert.equal(canonicalHeaderKey("x-stainless-arch"), "X-Stainless-Arch");
  assert.equal(canonicalHeaderKey("Content-Type"), "Content-Type");
});
