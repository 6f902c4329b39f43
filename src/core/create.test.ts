import assert from "node:assert/strict";
import { test } from "node:test";
import { marshalMessage, progressJson } from "./create.js";

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
