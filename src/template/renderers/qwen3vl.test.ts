// qwen3-vl renderers against expected prompts from Ollama's qwen3vl_*_test.go.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { TemplateMessage, Tool } from "../types.js";
import { rendererForName } from "./index.js";

function render(name: string, msgs: TemplateMessage[], tools?: Tool[], think?: boolean): string {
  const r = rendererForName(name);
  assert.ok(r, name);
  return r(msgs, tools, think);
}

const instruct = (msgs: TemplateMessage[], tools?: Tool[]): string =>
  render("qwen3-vl-instruct", msgs, tools);
const thinking = (msgs: TemplateMessage[], tools?: Tool[]): string =>
  render("qwen3-vl-thinking", msgs, tools);

test("qwen3-vl-instruct: prefill and plain chat", () => {
  assert.equal(
    instruct([
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Tell me something interesting." },
      { role: "assistant", content: "I'll tell you something interesting about cats" },
    ]),
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nTell me something interesting.<|im_end|>\n" +
      "<|im_start|>assistant\nI'll tell you something interesting about cats",
  );
  assert.equal(
    instruct([
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello, how are you?" },
    ]),
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello, how are you?<|im_end|>\n<|im_start|>assistant\n",
  );
});

test("qwen3-vl-instruct: images get [img-N] tags, numbered across messages", () => {
  assert.equal(
    instruct([
      { role: "user", content: "Describe these images.", images: ["aW1nMQ==", "aW1nMg=="] },
      { role: "assistant", content: "Let me analyze this image." },
    ]),
    "<|im_start|>user\n[img-0][img-1] Describe these images.<|im_end|>\n<|im_start|>assistant\nLet me analyze this image.",
  );
  const out = instruct([
    { role: "user", content: "a", images: ["eA=="] },
    { role: "assistant", content: "ok" },
    { role: "user", content: "compare [img] with", images: ["eQ=="] },
  ]);
  assert.ok(out.includes("[img-0] a<|im_end|>") && out.includes("compare [img-1] with<|im_end|>"), out);
});

test("qwen3-vl-instruct: tool calls and grouped tool responses", () => {
  assert.equal(
    instruct([
      { role: "user", content: "Hi" },
      {
        role: "assistant",
        content: "before",
        toolCalls: [
          { function: { name: "add", arguments: { a: 2, b: 3 } } },
          { function: { name: "mul", arguments: { x: 4, y: 5 } } },
        ],
      },
    ]),
    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nbefore\n<tool_call>\n" +
      '{"name": "add", "arguments": {"a": 2, "b": 3}}\n</tool_call>\n<tool_call>\n' +
      '{"name": "mul", "arguments": {"x": 4, "y": 5}}\n</tool_call>',
  );
  assert.equal(
    instruct([
      { role: "user", content: "Compute results" },
      { role: "assistant", content: "ok", toolCalls: [{ function: { name: "job", arguments: { n: 1 } } }] },
      { role: "tool", content: "5", toolName: "job" },
      { role: "tool", content: "6", toolName: "job" },
    ]),
    "<|im_start|>user\nCompute results<|im_end|>\n<|im_start|>assistant\nok\n<tool_call>\n" +
      '{"name": "job", "arguments": {"n": 1}}\n</tool_call><|im_end|>\n' +
      "<|im_start|>user\n<tool_response>\n5\n</tool_response>\n<tool_response>\n6\n</tool_response><|im_end|>\n" +
      "<|im_start|>assistant\n",
  );
});

test("qwen3-vl-instruct: tools in the system prompt, JSON with spaces in api.Tool field order", () => {
  const tool: Tool = {
    type: "function",
    function: {
      name: "get-current-weather",
      description: "Get the current weather for a location",
      parameters: {
        type: "object",
        required: ["location"],
        properties: {
          location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
          unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "The temperature unit" },
        },
      },
    },
  };
  const out = instruct(
    [
      { role: "system", content: "You are a helpful assistant with access to tools." },
      { role: "user", content: "What's the weather like in New York?" },
    ],
    [tool],
  );
  assert.equal(
    out,
    "<|im_start|>system\nYou are a helpful assistant with access to tools.\n\n# Tools\n\n" +
      "You may call one or more functions to assist with the user query.\n\n" +
      "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
      '{"type": "function", "function": {"name": "get-current-weather", "description": "Get the current weather for a location", ' +
      '"parameters": {"type": "object", "required": ["location"], "properties": {"location": {"type": "string", ' +
      '"description": "The city and state, e.g. San Francisco, CA"}, "unit": {"type": "string", ' +
      '"description": "The temperature unit", "enum": ["celsius", "fahrenheit"]}}}}}\n</tools>\n\n' +
      "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
      '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
      "<|im_start|>user\nWhat's the weather like in New York?<|im_end|>\n<|im_start|>assistant\n",
  );
});

test("qwen3-vl-instruct: a user message wrapping a tool response is not a new query", () => {
  const out = instruct([
    { role: "user", content: "What's the weather?" },
    {
      role: "assistant",
      content: "I'll check.",
      toolCalls: [
        { function: { name: "get-current-weather", arguments: { location: "Paris", unit: "celsius" } } },
      ],
    },
    { role: "user", content: "<tool_response>\n18\n</tool_response>" },
    { role: "user", content: "Thanks!" },
  ]);
  assert.equal(
    out,
    "<|im_start|>user\nWhat's the weather?<|im_end|>\n<|im_start|>assistant\nI'll check.\n<tool_call>\n" +
      '{"name": "get-current-weather", "arguments": {"location": "Paris", "unit": "celsius"}}\n</tool_call><|im_end|>\n' +
      "<|im_start|>user\n<tool_response>\n18\n</tool_response><|im_end|>\n<|im_start|>user\nThanks!<|im_end|>\n" +
      "<|im_start|>assistant\n",
  );
});

test("qwen3-vl-thinking: opens <think> and replays only current-turn reasoning", () => {
  assert.equal(
    thinking([
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello, how are you?" },
    ]),
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello, how are you?<|im_end|>\n" +
      "<|im_start|>assistant\n<think>\n",
  );
  assert.equal(
    thinking([
      { role: "user", content: "Tell me a story in two sentences." },
      {
        role: "assistant",
        content: "abc",
        thinking: "To make this story interesting, I will speak in poetry.",
      },
    ]),
    "<|im_start|>user\nTell me a story in two sentences.<|im_end|>\n<|im_start|>assistant\n<think>\n" +
      "To make this story interesting, I will speak in poetry.\n</think>\n\nabc",
  );
  assert.equal(
    thinking([
      { role: "user", content: "Tell me a story in two sentences." },
      {
        role: "assistant",
        thinking: "To make this story interesting, I will speak in poetry.",
        content: "abc",
      },
      { role: "user", content: "What is the weather like in San Francisco?" },
      {
        role: "assistant",
        content: "",
        thinking:
          "Speak poetry after the first sentence.</think><think>Speak poetry after the second sentence.",
      },
    ]),
    "<|im_start|>user\nTell me a story in two sentences.<|im_end|>\n<|im_start|>assistant\nabc<|im_end|>\n" +
      "<|im_start|>user\nWhat is the weather like in San Francisco?<|im_end|>\n<|im_start|>assistant\n<think>\n" +
      "Speak poetry after the first sentence.</think><think>Speak poetry after the second sentence.",
  );
});

test("qwen3-vl: think overrides the variant's default", () => {
  const msgs: TemplateMessage[] = [{ role: "user", content: "Hello" }];
  assert.ok(!render("qwen3-vl-thinking", msgs, undefined, false).includes("<think>"));
  assert.ok(render("qwen3-vl-instruct", msgs, undefined, true).endsWith("<|im_start|>assistant\n<think>\n"));
});
