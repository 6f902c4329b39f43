// Renders the real templates in ../shared/fixtures: Ollama's built-in templates against its golden
// renders (mirroring template_test.go's TestTemplate), and the tool-capable model templates.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { parseOllamaTemplate, type TemplateMessage, type Tool } from "./index.js";

// dist/src/template/ → repo root is three levels up.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const fixtures = path.resolve(repoRoot, "..", "shared", "fixtures");
const builtinDir = path.join(fixtures, "ollama-templates");
const toolDir = path.join(fixtures, "ollama-tool-templates");

const user = { role: "user", content: "Hello, how are you?" };
const assistant = { role: "assistant", content: "I'm doing great. How can I help you today?" };
const user2 = { role: "user", content: "I'd like to show off how chat templating works!" };
const system = { role: "system", content: "You are a helpful assistant." };

const scenarios: Record<string, TemplateMessage[]> = {
  user: [user],
  "user-assistant-user": [user, assistant, user2],
  "system-user-assistant-user": [system, user, assistant, user2],
};

// Ollama's test drops one trailing space from these renders before comparing.
const trimOneSpace = new Set(["chatqa", "llama2-chat", "mistral-instruct", "openchat", "vicuna"]);

function templateNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".gotmpl"))
    .map((f) => f.slice(0, -".gotmpl".length))
    .sort();
}

test("built-in Ollama templates render the golden prompts", async (t) => {
  if (!existsSync(builtinDir)) return t.skip(`fixtures not found at ${builtinDir}`);
  const names = templateNames(builtinDir);
  assert.equal(names.length, 20);
  for (const name of names) {
    await t.test(name, () => {
      const text = readFileSync(path.join(builtinDir, `${name}.gotmpl`), "utf8").replace(/\r\n/g, "\n");
      const tmpl = parseOllamaTemplate(text);
      for (const [scenario, messages] of Object.entries(scenarios)) {
        let got = tmpl.render({ messages: structuredClone(messages) });
        if (trimOneSpace.has(name) && got.endsWith(" ")) got = got.slice(0, -1);
        const want = readFileSync(path.join(builtinDir, "testdata", `${name}.gotmpl`, scenario), "utf8");
        assert.equal(got, want, `${name} / ${scenario}`);
      }
    });
  }
});

interface WireMessage {
  role: string;
  content?: string;
  tool_calls?: { id?: string; function: { name: string; arguments: Record<string, unknown> } }[];
  tool_call_id?: string;
}

function fromWire(m: WireMessage): TemplateMessage {
  const out: TemplateMessage = { role: m.role, content: m.content ?? "" };
  if (m.tool_calls) {
    out.toolCalls = m.tool_calls.map((tc) => ({
      ...(tc.id ? { id: tc.id } : {}),
      function: { name: tc.function.name, arguments: tc.function.arguments },
    }));
  }
  if (m.tool_call_id) out.toolCallId = m.tool_call_id;
  return out;
}

test("tool model templates render a tool conversation", async (t) => {
  if (!existsSync(toolDir)) return t.skip(`fixtures not found at ${toolDir}`);
  const messages = (
    JSON.parse(readFileSync(path.join(toolDir, "messages.json"), "utf8")) as WireMessage[]
  ).map(fromWire);
  const tools = JSON.parse(readFileSync(path.join(toolDir, "tools.json"), "utf8")) as Tool[];
  const names = templateNames(toolDir);
  assert.ok(names.length >= 9);
  for (const name of names) {
    await t.test(name, () => {
      const tmpl = parseOllamaTemplate(readFileSync(path.join(toolDir, `${name}.gotmpl`), "utf8"));
      assert.ok(tmpl.usesTools, `${name} should reference .Tools`);
      const got = tmpl.render({ messages: structuredClone(messages), tools });
      assert.ok(got.includes("What's the weather like today in San Francisco and Toronto?"));
      assert.ok(got.includes("get_current_weather"), `${name} should mention the tool`);
      assert.ok(!got.includes("<no value>"), `${name} printed <no value>`);
    });
  }
});
