import { test } from "node:test";
import assert from "node:assert/strict";
import { fromResponses } from "./responses-request.js";
import { OpenAIRequestError } from "./errors.js";

const messages = (body: Record<string, unknown>) =>
  (fromResponses({ model: "m", ...body }).request.messages ?? []).map((m) => ({
    role: m.role,
    content: m.content,
    ...(m.thinking ? { thinking: m.thinking } : {}),
    ...(m.toolCalls?.length
      ? { calls: m.toolCalls.map((c) => [c.id, c.function.name, Object.fromEntries(c.function.arguments)]) }
      : {}),
    ...(m.toolName ? { toolName: m.toolName } : {}),
    ...(m.toolCallId ? { toolCallId: m.toolCallId } : {}),
  }));

test("instructions and a string input are a system and a user turn", () => {
  assert.deepEqual(messages({ instructions: "be brief", input: "hi" }), [
    { role: "system", content: "be brief" },
    { role: "user", content: "hi" },
  ]);
});

test("input items: shorthand messages, content parts, developer as system", () => {
  const got = messages({
    input: [
      { role: "developer", content: "rules" },
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "a" },
          { type: "input_text", text: "b" },
        ],
      },
      { role: "assistant", content: [{ type: "output_text", text: "c" }] },
    ],
  });
  assert.deepEqual(got, [
    { role: "system", content: "rules" },
    { role: "user", content: "ab" },
    { role: "assistant", content: "c" },
  ]);
});

test("function calls join the assistant turn; outputs become tool turns that name their tool", () => {
  const got = messages({
    input: [
      { role: "user", content: "weather?" },
      { type: "reasoning", summary: [], encrypted_content: "look it up" },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call", call_id: "call_2", name: "get_time", arguments: "" },
      { role: "assistant", content: "checking" },
      { type: "function_call_output", call_id: "call_1", output: '{"temp":21}' },
      { type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "noon" }] },
    ],
  });
  assert.deepEqual(got, [
    { role: "user", content: "weather?" },
    {
      role: "assistant",
      content: "checking",
      thinking: "look it up",
      calls: [
        ["call_1", "get_weather", { city: "Paris" }],
        ["call_2", "get_time", {}],
      ],
    },
    { role: "tool", content: '{"temp":21}', toolName: "get_weather", toolCallId: "call_1" },
    { role: "tool", content: "noon", toolName: "get_time", toolCallId: "call_2" },
  ]);
});

test("a reasoning item without encrypted_content gives its summary as thinking", () => {
  const got = messages({
    input: [
      { role: "user", content: "x" },
      {
        type: "reasoning",
        summary: [
          { type: "summary_text", text: "a" },
          { type: "summary_text", text: "b" },
        ],
      },
      { role: "assistant", content: "y" },
    ],
  });
  assert.deepEqual(got[1], { role: "assistant", content: "y", thinking: "ab" });
});

test("trailing reasoning is an assistant turn of its own", () => {
  assert.deepEqual(
    messages({
      input: [
        { role: "user", content: "x" },
        { type: "reasoning", encrypted_content: "t" },
      ],
    }),
    [
      { role: "user", content: "x" },
      { role: "assistant", content: "", thinking: "t" },
    ],
  );
});

test("options: temperature defaults to 1, top_p to the model's; max_output_tokens; effort; formats", () => {
  const plain = fromResponses({ model: "m", input: "x" }).request;
  assert.equal(plain.options?.temperature, 1);
  assert.equal(plain.options?.top_p, undefined);
  const r = fromResponses({
    model: "m",
    input: "x",
    temperature: 0.2,
    top_p: 0.5,
    max_output_tokens: 7,
    reasoning: { effort: "minimal" },
    text: { format: { type: "json_schema", name: "s", schema: { type: "object" } } },
  }).request;
  assert.equal(r.options?.temperature, 0.2);
  assert.equal(r.options?.top_p, 0.5);
  assert.equal(r.options?.num_predict, 7);
  assert.equal(r.think, "low");
  assert.deepEqual(r.format?.value, { type: "object" });
  assert.equal(
    fromResponses({ model: "m", text: { format: { type: "json_object" } } }).request.format?.value,
    "json",
  );
});

test("tools: flat functions, namespaces expanded, hosted tools left out; tool_choice enforced", () => {
  const tools = [
    { type: "function", name: "a", parameters: { type: "object", properties: {} } },
    { type: "namespace", name: "ns", tools: [{ type: "function", name: "b" }] },
    { type: "web_search" },
    { type: "file_search", vector_store_ids: [] },
  ];
  const r = fromResponses({ model: "m", input: "x", tools });
  assert.deepEqual(
    r.request.tools?.map((t) => t.function.name),
    ["a", "ns.b"],
  );
  assert.equal(r.echo.tools.length, 4);
  const forced = fromResponses({
    model: "m",
    input: "x",
    tools,
    tool_choice: { type: "function", name: "a" },
  });
  assert.deepEqual(
    forced.request.tools?.map((t) => t.function.name),
    ["a"],
  );
  assert.equal(forced.request.think, false);
  assert.ok(forced.request.format !== undefined);
  assert.equal(
    fromResponses({ model: "m", input: "x", tools, tool_choice: "none" }).request.tools,
    undefined,
  );
});

test("bad input is a 400 in OpenAI's shape", () => {
  const bad = (body: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => fromResponses({ model: "m", ...body }),
      (e: unknown) => e instanceof OpenAIRequestError && e.status === 400 && message.test(e.message),
    );
  bad({ input: 5 }, /^input must be a string or array$/);
  bad({ input: [{ content: "x" }] }, /^input\[0\]: input item missing required 'type' field$/);
  bad({ input: [{ type: "bogus" }] }, /^input\[0\]: unknown input item type: "bogus"$/);
  bad({ input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] }, /^file inputs are not/);
  bad(
    { input: [{ type: "function_call", name: "f", arguments: "{" }] },
    /^input\[0\]: failed to parse function call arguments/,
  );
  bad({ reasoning: { effort: "huge" } }, /^invalid reasoning value: "huge"/);
  bad({ tools: {} }, /^'tools' must be an array$/);
});
