// cogito renderer against expected prompts from Ollama's cogito_test.go.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { TemplateMessage, Tool } from "../types.js";
import { rendererForName } from "./index.js";

function render(msgs: TemplateMessage[], think: boolean, tools?: Tool[]): string {
  const r = rendererForName("cogito");
  assert.ok(r);
  return r(msgs, tools, think);
}

const bos = "<｜begin▁of▁sentence｜>";
const intro =
  "You are Cogito, an AI assistant created by Deep Cogito, which is an AI research lab based in San Francisco.";
const weatherCall = (location: string) => ({ function: { name: "get_weather", arguments: { location } } });

test("cogito: default system prompt, with and without thinking", () => {
  assert.equal(
    render([{ role: "user", content: "Hello, how are you?" }], false),
    `${bos}${intro}<｜User｜>Hello, how are you?<｜Assistant｜>`,
  );
  assert.equal(
    render(
      [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "Hello, how are you?" },
      ],
      true,
    ),
    `${bos}Enable deep thinking subroutine.\n\n${intro}\n\nYou are a helpful assistant.\n\n<｜User｜>Hello, how are you?<｜Assistant｜><think>\n`,
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
    `${bos}${intro}\n\nFirst instruction<｜User｜>Hello<｜Assistant｜>`,
  );
  assert.equal(
    render(
      [
        { role: "user", content: "Think about this" },
        { role: "assistant", content: "" },
      ],
      true,
    ),
    `${bos}Enable deep thinking subroutine.\n\n${intro}<｜User｜>Think about this<｜Assistant｜><｜end▁of▁sentence｜><｜Assistant｜><think>\n`,
  );
});

test("cogito: tools as indented JSON blocks", () => {
  const tool: Tool = {
    type: "function",
    function: {
      name: "get_weather",
      description: "Get current weather",
      parameters: {
        type: "object",
        properties: { location: { type: "string", description: "City name" } },
        required: ["location"],
      },
    },
  };
  const json = `{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get current weather",
        "parameters": {
            "type": "object",
            "required": [
                "location"
            ],
            "properties": {
                "location": {
                    "type": "string",
                    "description": "City name"
                }
            }
        }
    }
}`;
  assert.equal(
    render([{ role: "user", content: "What's the weather like?" }], false, [tool]),
    `${bos}${intro}\nYou have the following functions available:\n\`\`\`json\n${json}\n\`\`\`\n<｜User｜>What's the weather like?<｜Assistant｜>`,
  );
});

test("cogito: tool calls and grouped outputs", () => {
  const call = (loc: string): string =>
    `<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n\`\`\`json\n{"location":"${loc}"}\n\`\`\`<｜tool▁call▁end｜>`;
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
    `${bos}${intro}<｜User｜>Get weather for Paris and London<｜Assistant｜><｜tool▁calls▁begin｜>` +
      `${call("Paris")}\n${call("London")}<｜tool▁calls▁end｜><｜end▁of▁sentence｜><｜tool▁outputs▁begin｜>` +
      "<｜tool▁output▁begin｜>Paris: 22°C, Sunny<｜tool▁output▁end｜>\n" +
      "<｜tool▁output▁begin｜>London: 18°C, Cloudy<｜tool▁output▁end｜><｜tool▁outputs▁end｜><｜Assistant｜>",
  );
  // Top-level arguments keep their order; nested maps marshal with sorted keys, as in Go.
  assert.equal(
    render(
      [
        { role: "user", content: "Process complex data" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            {
              function: {
                name: "process_data",
                arguments: {
                  config: { threshold: 0.95, enabled: true, tags: ["important", "urgent"] },
                  items: ["item1", "item2", "item3"],
                },
              },
            },
          ],
        },
      ],
      false,
    ),
    `${bos}${intro}<｜User｜>Process complex data<｜Assistant｜><｜tool▁calls▁begin｜>` +
      "<｜tool▁call▁begin｜>function<｜tool▁sep｜>process_data\n```json\n" +
      '{"config":{"enabled":true,"tags":["important","urgent"],"threshold":0.95},"items":["item1","item2","item3"]}\n' +
      "```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜><｜Assistant｜>",
  );
});
