import { test } from "node:test";
import assert from "node:assert/strict";
import { estimateTokens } from "./request.js";

test("message_start's estimate counts bytes as Ollama's estimateTokens does", () => {
  // role "user" (4) + the text block's text (2): 6 bytes, a quarter rounded down, but at least 1
  assert.equal(estimateTokens({ messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }), 1);
  // a string content is its text; bytes, not characters: "héllo wörld!" is 14 bytes
  assert.equal(estimateTokens({ messages: [{ role: "user", content: "héllo wörld!" }] }), 4);
  // system text and a tool's name, description and schema count; an image block does not
  const schema = { type: "object" };
  const withTools = {
    system: "be brief",
    messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", data: "AAAA" } }] }],
    tools: [{ name: "get_weather", description: "now", input_schema: schema }],
  };
  const bytes = 8 + 4 + 11 + 3 + JSON.stringify(schema).length;
  assert.equal(estimateTokens(withTools), Math.floor(bytes / 4));
  // a tool_result block counts whole, as Go marshals it
  const result = { type: "tool_result", tool_use_id: "toolu_1", content: "21C" };
  assert.equal(
    estimateTokens({ messages: [{ role: "user", content: [result] }] }),
    Math.floor((4 + JSON.stringify(result).length) / 4),
  );
  assert.equal(estimateTokens({}), 0);
});
