import { test } from "node:test";
import assert from "node:assert/strict";
import { isValidModelName, parseModelName, shortName } from "./name.js";
import { pushDestination } from "./commands/transfer.js";

void test("model names", () => {
  assert.deepEqual(parseModelName("llama3"), {
    host: "registry.ollama.ai",
    namespace: "library",
    model: "llama3",
    tag: "latest",
  });
  assert.deepEqual(parseModelName("me/m:7b"), {
    host: "registry.ollama.ai",
    namespace: "me",
    model: "m",
    tag: "7b",
  });
  assert.deepEqual(parseModelName("localhost:5000/ns/m"), {
    host: "localhost:5000",
    namespace: "ns",
    model: "m",
    tag: "latest",
  });
  assert.ok(isValidModelName("llama3.2:1b-instruct-q4_K_M"));
  assert.ok(!isValidModelName("bad name"));
  assert.ok(!isValidModelName("-x"));
  assert.ok(!isValidModelName("a.b/m"));
  assert.ok(!isValidModelName("m:"));
  assert.equal(shortName(parseModelName("me/m")), "me/m:latest");
});

void test("push destination", () => {
  assert.equal(pushDestination("me/m"), "https://ollama.com/me/m");
  assert.equal(pushDestination("localhost:5000/ns/m:1"), "localhost:5000/ns/m:1");
});
