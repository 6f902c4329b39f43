// deepseek3.1 renderer against expected prompts from Ollama's deepseek3_test.go.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { TemplateMessage, Tool } from "../types.js";
import { rendererForName } from "./index.js";

function render(msgs: TemplateMessage[], think: boolean, tools?: Tool[]): string {
  const r = rendererForName("deepseek3.1");
  assert.ok(r);
  return r(msgs, tools, think);
}

const weatherCall = (location: string) => ({ function: { name: "get_weather", arguments: { location } } });

test("deepseek3.1: system prompts, think on and off", () => {
  assert.equal(
    render([{ role: "user", content: "Hello, how are you?" }], false),
    "<｜begin▁of▁sentence｜><｜User｜>Hello, how are you?<｜Assistant｜></think>",
  );
  assert.equal(
    render(
      [
        { role: "system", content: "First instruction" },
        { role: "system", content: "Second instruction" },
        { role: "user", content: "Hello" },
      ],
      false,
    ),
    "<｜begin▁of▁sentence｜>First instruction\n\nSecond instruction<｜User｜>Hello<｜Assistant｜></think>",
  );
  assert.equal(
    render(
      [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "Hello, how are you?" },
      ],
      true,
    ),
    "<｜begin▁of▁sentence｜>You are a helpful assistant.<｜User｜>Hello, how are you?<｜Assistant｜><think>",
  );
  assert.equal(render([], false), "<｜begin▁of▁sentence｜>");
});

test("deepseek3.1: earlier replies drop reasoning, through the first </think>", () => {
  assert.equal(
    render(
      [
        { role: "user", content: "Complex question" },
        { role: "assistant", content: "First thought</think>Second thought</think>Final answer" },
      ],
      false,
    ),
    "<｜begin▁of▁sentence｜><｜User｜>Complex question<｜Assistant｜></think>Second thought</think>Final answer<｜end▁of▁sentence｜>",
  );
  assert.equal(
    render(
      [
        { role: "user", content: "Who are you?" },
        { role: "assistant", content: "I am DeepSeek", thinking: "Hmm" },
        { role: "user", content: "Thanks! Can you tell me a 10 word story?" },
      ],
      true,
    ),
    "<｜begin▁of▁sentence｜><｜User｜>Who are you?<｜Assistant｜></think>I am DeepSeek<｜end▁of▁sentence｜>" +
      "<｜User｜>Thanks! Can you tell me a 10 word story?<｜Assistant｜><think>",
  );
});

test("deepseek3.1: tool calls, outputs and the reply after them", () => {
  assert.equal(
    render(
      [
        { role: "user", content: "What's the weather in Paris?" },
        { role: "assistant", content: "", toolCalls: [weatherCall("Paris")] },
        { role: "tool", content: "Temperature: 22°C, Sunny" },
        { role: "assistant", content: "Based on the weather data, it's sunny in Paris." },
        { role: "user", content: "Now tell me about London weather too." },
      ],
      true,
    ),
    "<｜begin▁of▁sentence｜><｜User｜>What's the weather in Paris?<｜Assistant｜></think><｜tool▁calls▁begin｜>" +
      '<｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"location":"Paris"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>' +
      "<｜end▁of▁sentence｜><｜tool▁output▁begin｜>Temperature: 22°C, Sunny<｜tool▁output▁end｜>" +
      "Based on the weather data, it's sunny in Paris.<｜end▁of▁sentence｜><｜User｜>Now tell me about London weather too." +
      "<｜Assistant｜><think>",
  );
  assert.equal(
    render(
      [
        { role: "user", content: "Get weather for Paris and London" },
        { role: "assistant", content: "", toolCalls: [weatherCall("Paris"), weatherCall("London")] },
        { role: "tool", content: "Paris: 22°C, Sunny" },
        { role: "tool", content: "London: 18°C, Cloudy" },
      ],
      false,
    ),
    "<｜begin▁of▁sentence｜><｜User｜>Get weather for Paris and London<｜Assistant｜></think><｜tool▁calls▁begin｜>" +
      '<｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"location":"Paris"}<｜tool▁call▁end｜>' +
      '<｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"location":"London"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>' +
      "<｜end▁of▁sentence｜><｜tool▁output▁begin｜>Paris: 22°C, Sunny<｜tool▁output▁end｜>" +
      "<｜tool▁output▁begin｜>London: 18°C, Cloudy<｜tool▁output▁end｜>",
  );
});

test("deepseek3.1: tool definitions", () => {
  const tool: Tool = {
    type: "function",
    function: {
      name: "get_weather",
      description: "Get current weather information",
      parameters: {
        type: "object",
        properties: { location: { type: "string", description: "City name" } },
        required: ["location"],
      },
    },
  };
  assert.equal(
    render(
      [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "What's the weather like?" },
      ],
      false,
      [tool],
    ),
    "<｜begin▁of▁sentence｜>You are a helpful assistant.\n\n## Tools\nYou have access to the following tools:\n\n" +
      "### get_weather\nDescription: Get current weather information\n\n" +
      'Parameters: {"type":"object","required":["location"],"properties":{"location":{"type":"string","description":"City name"}}}\n' +
      "\nIMPORTANT: ALWAYS adhere to this exact format for tool use:\n" +
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>tool_call_name<｜tool▁sep｜>tool_call_arguments<｜tool▁call▁end｜>" +
      "{{additional_tool_calls}}<｜tool▁calls▁end｜>\n\nWhere:\n\n" +
      "- `tool_call_name` must be an exact match to one of the available tools\n" +
      "- `tool_call_arguments` must be valid JSON that strictly follows the tool's Parameters Schema\n" +
      "- For multiple tool calls, chain them directly without separators or spaces\n" +
      "<｜User｜>What's the weather like?<｜Assistant｜></think>",
  );
});
