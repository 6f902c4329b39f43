import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ollama, type Tool } from "ollama";
import { addModel, qwenLikeTemplate, startServer, thinkTemplate, type TestServer } from "./helpers/server.js";
import { createScriptedEngine, type ScriptedEngine } from "./helpers/scripted-engine.js";
import { repoRoot } from "../src/gguf/paths.js";

const weather: Tool = {
  type: "function",
  function: {
    name: "get_current_weather",
    description: "Get the current weather",
    parameters: {
      type: "object",
      properties: {
        location: { type: "string", description: "city" },
        format: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["location", "format"],
    },
  },
};

let server: TestServer;
let engine: ScriptedEngine;
let client: Ollama;

before(async () => {
  engine = createScriptedEngine();
  server = await startServer({}, engine);
  client = new Ollama({ host: server.url });
  await addModel(server, "qwenish", { template: qwenLikeTemplate });
  await addModel(server, "thinker", { template: thinkTemplate });
});
after(() => server.close());

const callText =
  'Let me check. <tool_call>\n{"name": "get_current_weather", "arguments": {"location": "Paris", "format": "celsius"}}\n</tool_call>';

describe("tool calls through /api/chat", () => {
  test("non-streaming: content before the call, the call parsed with index and id", async () => {
    engine.script(callText);
    const r = await client.chat({
      model: "qwenish",
      messages: [{ role: "user", content: "weather?" }],
      tools: [weather],
      stream: false,
    });
    assert.equal(r.message.content, "Let me check. ");
    const calls = r.message.tool_calls ?? [];
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.function.name, "get_current_weather");
    assert.deepEqual(calls[0]!.function.arguments, { location: "Paris", format: "celsius" });
    assert.deepEqual(Object.keys(calls[0]!.function.arguments), ["location", "format"]);
    const raw = calls[0] as unknown as { id?: string; function: { index: number } };
    assert.equal(raw.function.index, 0);
    assert.match(raw.id ?? "", /^call_[a-z0-9]{8}$/);
  });

  test("streaming: no chunk ever shows a partial marker; the call arrives once", async () => {
    engine.script(callText);
    let content = "";
    const calls: unknown[] = [];
    for await (const part of await client.chat({
      model: "qwenish",
      messages: [{ role: "user", content: "weather?" }],
      tools: [weather],
      stream: true,
    })) {
      assert.ok(!part.message.content.includes("<"), `leaked: ${part.message.content}`);
      content += part.message.content;
      calls.push(...(part.message.tool_calls ?? []));
    }
    assert.equal(content, "Let me check. ");
    assert.equal(calls.length, 1);
  });

  test("a malformed call comes back as content, never dropped", async () => {
    const bad = '<tool_call>{"name": "get_current_weather", "arguments": {"location": </tool_call>';
    engine.script(bad);
    const r = await client.chat({
      model: "qwenish",
      messages: [{ role: "user", content: "?" }],
      tools: [weather],
      stream: false,
    });
    assert.equal(r.message.content, bad);
    assert.equal(r.message.tool_calls, undefined);
  });

  test("the tool call and the tool result render back into the prompt", async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({
        model: "qwenish",
        stream: false,
        _debug_render_only: true,
        tools: [weather],
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: "",
            tool_calls: [
              {
                function: {
                  name: "get_current_weather",
                  arguments: { location: "Paris", format: "celsius" },
                },
              },
            ],
          },
          { role: "tool", content: "22 degrees", tool_name: "get_current_weather" },
        ],
      }),
    });
    const { _debug_info } = (await res.json()) as { _debug_info: { rendered_template: string } };
    assert.ok(
      _debug_info.rendered_template.includes(
        '{"name": "get_current_weather", "arguments": {"format":"celsius","location":"Paris"}}',
      ),
    );
    assert.ok(_debug_info.rendered_template.includes("22 degrees"));
  });
});

describe("thinking", () => {
  test("think:true separates <think> into the thinking field, streamed and not", async () => {
    engine.script("<think>Considering the question.</think>The answer is 4.");
    const r = await client.chat({
      model: "thinker",
      messages: [{ role: "user", content: "2+2?" }],
      think: true,
      stream: false,
    });
    assert.equal(r.message.thinking, "Considering the question.");
    assert.equal(r.message.content, "The answer is 4.");

    engine.script("<think>Hmm.</think>Four.");
    let thinking = "";
    let content = "";
    for await (const p of await client.chat({
      model: "thinker",
      messages: [{ role: "user", content: "2+2?" }],
      think: true,
      stream: true,
    })) {
      thinking += p.message.thinking ?? "";
      content += p.message.content;
      assert.ok(!p.message.content.includes("<"), p.message.content);
    }
    assert.deepEqual({ thinking, content }, { thinking: "Hmm.", content: "Four." });
  });

  test("/api/generate returns thinking too", async () => {
    engine.script("<think>ok</think>done");
    const r = await client.generate({ model: "thinker", prompt: "go", think: true, stream: false });
    assert.equal(r.thinking, "ok");
    assert.equal(r.response, "done");
  });

  test("think on a model without the capability is Ollama's error", async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "qwenish", think: true, messages: [{ role: "user", content: "x" }] }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: '"qwenish" does not support thinking' });
  });
});

// Ollama's own templates for three tool-calling families, with outputs in each family's format.
const fixtures = resolve(repoRoot(), "..", "shared", "fixtures", "ollama-tool-templates");
const families: Array<[string, string]> = [
  [
    "qwen2.5",
    '<tool_call>\n{"name": "get_current_weather", "arguments": {"location": "Paris", "format": "celsius"}}\n</tool_call>',
  ],
  ["llama3.2", '{"name": "get_current_weather", "parameters": {"location": "Paris", "format": "celsius"}}'],
  [
    "mistral",
    '[TOOL_CALLS] [{"name": "get_current_weather", "arguments": {"location": "Paris", "format": "celsius"}}]',
  ],
];

describe("Ollama's tool templates", { skip: !existsSync(fixtures) && `${fixtures} is absent` }, () => {
  for (const [family, output] of families) {
    test(`${family}: tool_calls parsed from the model's format`, async () => {
      await addModel(server, `fam-${family}`, {
        template: readFileSync(join(fixtures, `${family}.gotmpl`), "utf8"),
      });
      engine.script(output);
      const r = await client.chat({
        model: `fam-${family}`,
        messages: [{ role: "user", content: "weather in Paris?" }],
        tools: [weather],
        stream: false,
      });
      assert.equal(r.message.tool_calls?.length, 1, JSON.stringify(r.message));
      assert.deepEqual(r.message.tool_calls?.[0]?.function.arguments, {
        location: "Paris",
        format: "celsius",
      });
      assert.equal(r.message.content.trim(), "");
    });
  }
});
