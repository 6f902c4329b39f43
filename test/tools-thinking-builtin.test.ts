// Models created with RENDERER / PARSER (Ollama's built-in renderers and parsers): the renderer writes
// the prompt, the parser splits the scripted output into content, thinking and tool calls.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Ollama, type Tool } from "ollama";
import { addModel, startServer, type TestServer } from "./helpers/server.js";
import { createScriptedEngine, type ScriptedEngine } from "./helpers/scripted-engine.js";

const weather: Tool = {
  type: "function",
  function: {
    name: "get_current_weather",
    description: "Get the current weather",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, days: { type: "integer" } },
      required: ["location"],
    },
  },
};

let server: TestServer;
let engine: ScriptedEngine;
let client: Ollama;

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(server.url + path, { method: "POST", body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const lines = text.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "{}") as Record<string, unknown>;
}

before(async () => {
  engine = createScriptedEngine();
  server = await startServer({}, engine);
  client = new Ollama({ host: server.url });
  await addModel(server, "base", {});
  await post("/api/create", { model: "coder", from: "base", renderer: "qwen3-coder", parser: "qwen3-coder" });
  await post("/api/create", { model: "qwen35", from: "base", parser: "qwen3.5" });
});
after(() => server.close());

describe("RENDERER and PARSER", () => {
  test("/api/show reports them and the capabilities the parser brings", async () => {
    const show = await client.show({ model: "coder" });
    assert.match(show.modelfile, /RENDERER qwen3-coder/);
    assert.match(show.modelfile, /PARSER qwen3-coder/);
    assert.ok(show.capabilities.includes("tools"), JSON.stringify(show.capabilities));
    const thinker = await client.show({ model: "qwen35" });
    assert.ok(thinker.capabilities.includes("thinking"), JSON.stringify(thinker.capabilities));
  });

  test("the renderer writes the prompt", async () => {
    const r = await post("/api/chat", {
      model: "coder",
      messages: [{ role: "user", content: "weather?" }],
      tools: [weather],
      _debug_render_only: true,
    });
    const prompt = (r._debug_info as { rendered_template?: string } | undefined)?.rendered_template ?? "";
    assert.ok(prompt.includes("<name>get_current_weather</name>"), JSON.stringify(r));
    assert.ok(prompt.endsWith("<|im_start|>user\nweather?<|im_end|>\n<|im_start|>assistant\n"));
  });

  test("the parser turns XML calls into tool_calls, streamed and not", async () => {
    const output =
      "Checking.\n<tool_call>\n<function=get_current_weather>\n<parameter=location>\nParis\n</parameter>\n" +
      "<parameter=days>\n2\n</parameter>\n</function>\n</tool_call>";
    engine.script(output);
    const r = await client.chat({
      model: "coder",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [weather],
      stream: false,
    });
    assert.equal(r.message.content, "Checking.");
    assert.deepEqual(r.message.tool_calls?.[0]?.function, {
      index: 0,
      name: "get_current_weather",
      arguments: { location: "Paris", days: 2 },
    });
    engine.script(output);
    let content = "";
    const calls = [];
    for await (const part of await client.chat({
      model: "coder",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [weather],
      stream: true,
    })) {
      content += part.message.content;
      calls.push(...(part.message.tool_calls ?? []));
    }
    assert.equal(content, "Checking.");
    assert.equal(calls.length, 1);
  });

  test("qwen3.5's parser separates thinking", async () => {
    engine.script("Thinking it over.\n</think>\n\nThe answer.");
    const r = await client.chat({
      model: "qwen35",
      messages: [{ role: "user", content: "q" }],
      stream: false,
    });
    assert.equal(r.message.thinking, "Thinking it over.");
    assert.equal(r.message.content, "The answer.");
  });

  test("after an assistant prefill the parser continues in content, as Ollama's parsers do", async () => {
    engine.script(" and the rest.");
    const r = await client.chat({
      model: "qwen35",
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: "The start" },
      ],
      stream: false,
    });
    assert.equal(r.message.thinking ?? "", "");
    assert.equal(r.message.content, " and the rest.");
  });
});
