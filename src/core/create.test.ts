import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModel, marshalMessage, progressJson, type CreateProgress } from "./create.js";
import { createStore, displayShortest, type ModelName } from "../store/index.js";
import { decodeCreateRequest } from "../api/wire/index.js";

test("progress lines drop Go's empty fields", () => {
  assert.deepEqual(progressJson({ status: "success" }), { status: "success" });
  assert.deepEqual(progressJson({ status: "pulling", digest: "sha256:a", total: 10, completed: 0 }), {
    status: "pulling",
    digest: "sha256:a",
    total: 10,
  });
});

test("messages are stored as Go marshals api.Message", () => {
  assert.equal(
    marshalMessage({ role: "user", content: "<hi>", thinking: "", toolName: "", toolCallId: "" }),
    '{"role":"user","content":"\\u003chi\\u003e"}',
  );
  assert.equal(
    marshalMessage({
      role: "assistant",
      content: "",
      thinking: "hmm",
      toolName: "",
      toolCallId: "",
      toolCalls: [
        {
          id: "",
          function: {
            index: 0,
            name: "f",
            arguments: new Map<string, number | string>([
              ["b", 1],
              ["a", "x"],
            ]),
          },
        },
      ],
    }),
    '{"role":"assistant","content":"","thinking":"hmm","tool_calls":[{"function":{"index":0,"name":"f","arguments":{"b":1,"a":"x"}}}]}',
  );
});

test("create FROM a model not in the store pulls it first, its progress ahead of create's", async () => {
  const root = await mkdtemp(join(tmpdir(), "tollama-create-"));
  try {
    const store = createStore({ root });
    const blob = await store.writeBlob(Buffer.from("a system prompt"));
    const layer = { mediaType: "application/vnd.ollama.image.system", digest: blob.digest, size: blob.size };
    const pulled: string[] = [];
    // Stands in for the registry: "pulling" copies a model already in the store.
    async function* pull(name: ModelName): AsyncGenerator<CreateProgress> {
      pulled.push(displayShortest(name));
      yield { status: "pulling manifest" };
      await store.writeModel(name, { config: { os: "linux", architecture: "amd64" }, layers: [layer] });
      yield { status: "success" };
    }
    const req = decodeCreateRequest(Buffer.from('{"model":"mine","from":"example.com/ns/base:v1"}'));
    const statuses: string[] = [];
    for await (const p of createModel({ store, pull }, req)) statuses.push(p.status);
    assert.deepEqual(pulled, ["example.com/ns/base:v1"]);
    assert.deepEqual(statuses, [
      "pulling manifest",
      "success",
      `using existing layer ${blob.digest}`,
      "writing manifest",
      "success",
    ]);
    // Present now: no second pull.
    for await (const p of createModel({ store, pull }, req)) void p;
    assert.equal(pulled.length, 1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
