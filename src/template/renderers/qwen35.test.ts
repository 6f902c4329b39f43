// qwen3.5 renderer against Ollama's qwen35_test.go and qwen3vl_thinking_test.go expectations.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { TemplateMessage, Tool } from "../types.js";
import { rendererForName } from "./index.js";

function render(msgs: TemplateMessage[], tools?: Tool[], think?: boolean): string {
  const r = rendererForName("qwen3.5");
  assert.ok(r);
  return r(msgs, tools, think);
}

const weatherTool: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  },
};

test("qwen3.5: system prompt after JSON tools, XML tool calls", () => {
  const got = render(
    [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "What's the weather in Paris?" },
      {
        role: "assistant",
        content: "I'll check.",
        toolCalls: [{ function: { name: "get_weather", arguments: { location: "Paris" } } }],
      },
      { role: "tool", content: "22C" },
      { role: "user", content: "Thanks" },
    ],
    [weatherTool],
  );
  assert.ok(
    got.startsWith(
      "<|im_start|>system\n# Tools\n\nYou have access to the following functions:\n\n<tools>\n" +
        '{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", ' +
        '"required": ["location"], "properties": {"location": {"type": "string"}}}}}\n</tools>\n\n' +
        "If you choose to call a function ONLY reply",
    ),
    got,
  );
  assert.ok(got.includes("</IMPORTANT>\n\nYou are a helpful assistant.<|im_end|>\n"), got);
  assert.ok(
    got.endsWith(
      "<|im_start|>assistant\nI'll check.\n\n<tool_call>\n<function=get_weather>\n<parameter=location>\nParis\n" +
        "</parameter>\n</function>\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n22C\n</tool_response>" +
        "<|im_end|>\n<|im_start|>user\nThanks<|im_end|>\n<|im_start|>assistant\n<think>\n",
    ),
    got,
  );
});

test("qwen3.5: think=false prefills an empty think block", () => {
  assert.equal(
    render([{ role: "user", content: "hello" }], undefined, false),
    "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
  );
});

test("qwen3.5: reasoning replayed only after the last user query", () => {
  const calls = (name: string): TemplateMessage["toolCalls"] => [
    { function: { name, arguments: { location: "Paris" } } },
  ];
  const got = render([
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Plan a picnic in Paris." },
    {
      role: "assistant",
      content: "Checking weather first.",
      thinking: "Need weather before giving advice.",
      toolCalls: calls("get_weather"),
    },
    { role: "tool", content: "22C" },
    { role: "assistant", content: "Checking UV too.", thinking: "Need UV.", toolCalls: calls("get_uv") },
    { role: "tool", content: "5" },
  ]);
  assert.ok(
    got.includes(
      "<|im_start|>assistant\n<think>\nNeed weather before giving advice.\n</think>\n\nChecking weather first.\n\n" +
        "<tool_call>\n<function=get_weather>\n<parameter=location>\nParis\n</parameter>\n</function>\n</tool_call><|im_end|>",
    ),
    got,
  );
  assert.ok(got.includes("<think>\nNeed UV.\n</think>\n\nChecking UV too.\n\n<tool_call>"), got);
  assert.ok(got.endsWith("<|im_start|>assistant\n<think>\n"));

  const earlier = render([
    { role: "user", content: "Run add." },
    { role: "assistant", content: "Done.", thinking: "Need to call add." },
    { role: "user", content: "Summarize." },
  ]);
  assert.ok(!earlier.includes("Need to call add."), earlier);
});

test("qwen3.5: assistant prefill with thinking", () => {
  assert.equal(
    render([
      { role: "user", content: "Write two words." },
      { role: "assistant", thinking: "Keep it short.", content: "Hello world" },
    ]),
    "<|im_start|>user\nWrite two words.<|im_end|>\n<|im_start|>assistant\n<think>\nKeep it short.\n</think>\n\nHello world",
  );
});
