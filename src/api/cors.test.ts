import { test } from "node:test";
import assert from "node:assert/strict";
import { originMatcher } from "./cors.js";
import { allowedOrigins } from "../config/index.js";

test("Ollama's default origins", () => {
  const ok = originMatcher(allowedOrigins(""));
  assert.ok(ok("http://localhost"));
  assert.ok(ok("http://localhost:3000"));
  assert.ok(ok("https://127.0.0.1:8080"));
  assert.ok(ok("vscode-webview://abc"));
  assert.ok(ok("chrome-extension://abcdef"));
  assert.ok(!ok("http://example.com"));
  assert.ok(!ok("http://localhost.evil.com"));
  assert.ok(originMatcher(allowedOrigins("*"))("http://example.com"));
  assert.ok(originMatcher(allowedOrigins("http://*.example.com"))("http://a.example.com"));
});
