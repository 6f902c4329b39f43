// Built-in renderers against prompts Ollama's own renderers produce for the same conversation.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { TemplateMessage, Tool } from "../types.js";
import { rendererForName } from "./index.js";

const weatherTool: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather in a given location",
    parameters: {
      type: "object",
      required: ["unit"],
      properties: {
        unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "The unit of temperature" },
      },
    },
  },
};

const instructions = `

If you choose to call a function ONLY reply in the following format with NO suffix:

<tool_call>
<function=example_function_name>
<parameter=example_parameter_1>
value_1
</parameter>
<parameter=example_parameter_2>
This is the value for the second parameter
that can span
multiple lines
</parameter>
</function>
</tool_call>

<IMPORTANT>
Reminder:
- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags
- Required parameters MUST be specified
- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after
- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls
</IMPORTANT>`;

test("qwen3-coder: plain chat", () => {
  const render = rendererForName("qwen3-coder");
  assert.ok(render);
  const msgs: TemplateMessage[] = [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "Hello, how are you?" },
  ];
  assert.equal(
    render(msgs, undefined, undefined),
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello, how are you?<|im_end|>\n<|im_start|>assistant\n",
  );
});

test("qwen3-coder: tools, a call, its result", () => {
  const render = rendererForName("qwen3-coder");
  assert.ok(render);
  const msgs: TemplateMessage[] = [
    { role: "system", content: "You are a helpful assistant with access to tools." },
    { role: "user", content: "What is the weather like in San Francisco?" },
    {
      role: "assistant",
      content: "I'll check the weather in San Francisco for you.",
      toolCalls: [
        { function: { name: "get_weather", arguments: { unit: "fahrenheit", days: 2, opts: { a: [1] } } } },
      ],
    },
    { role: "tool", content: '{"temperature": 68}', toolName: "get_weather" },
    { role: "tool", content: "second", toolName: "get_weather" },
    { role: "user", content: "That sounds nice! What about New York?" },
  ];
  const expected =
    "<|im_start|>system\nYou are a helpful assistant with access to tools.\n\n# Tools\n\nYou have access to the following functions:\n\n" +
    "<tools>\n<function>\n<name>get_weather</name>\n<description>Get the current weather in a given location</description>\n" +
    "<parameters>\n<parameter>\n<name>unit</name>\n<type>string</type>\n<description>The unit of temperature</description>\n" +
    '<enum>["celsius","fahrenheit"]</enum>\n</parameter>\n<required>["unit"]</required>\n</parameters>\n</function>\n</tools>' +
    instructions +
    "<|im_end|>\n<|im_start|>user\nWhat is the weather like in San Francisco?<|im_end|>\n" +
    "<|im_start|>assistant\nI'll check the weather in San Francisco for you.\n\n<tool_call>\n<function=get_weather>\n" +
    '<parameter=unit>\nfahrenheit\n</parameter>\n<parameter=days>\n2\n</parameter>\n<parameter=opts>\n{"a":[1]}\n</parameter>\n' +
    "</function>\n</tool_call><|im_end|>\n" +
    '<|im_start|>user\n<tool_response>\n{"temperature": 68}\n</tool_response>\n<tool_response>\nsecond\n</tool_response><|im_end|>\n' +
    "<|im_start|>user\nThat sounds nice! What about New York?<|im_end|>\n<|im_start|>assistant\n";
  assert.equal(render(msgs, [weatherTool], undefined), expected);
});

test("qwen3-coder: default system prompt with tools, assistant prefill", () => {
  const render = rendererForName("qwen3-coder");
  assert.ok(render);
  const out = render(
    [
      { role: "user", content: "hi" },
      { role: "assistant", content: "Partial" },
    ],
    [weatherTool],
    undefined,
  );
  assert.ok(out.startsWith("<|im_start|>system\nYou are Qwen, a helpful AI assistant"));
  assert.ok(out.endsWith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nPartial"));
  assert.equal(rendererForName("nope"), undefined);
});
