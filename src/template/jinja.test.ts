// The 70 real Hugging Face chat templates in ../shared/fixtures/jinja-templates render a
// system+user+assistant+user conversation, and again with tools where the template reads them.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { parseJinjaTemplate, TemplateError, type TemplateMessage, type Tool } from "./index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const fixtures = path.resolve(repoRoot, "..", "shared", "fixtures");
const jinjaDir = path.join(fixtures, "jinja-templates");
const toolsFile = path.join(fixtures, "ollama-tool-templates", "tools.json");

const conversation: TemplateMessage[] = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "Hello, how are you?" },
  { role: "assistant", content: "I'm doing great. How can I help you today?" },
  { role: "user", content: "What's the weather like in Paris?" },
];

// Templates that needed Python features @huggingface/jinja lacks (see jinjapy/), with a piece of their
// output that only a correct render produces.
const pythonFeatures: Record<string, { plain?: string; tools?: string }> = {
  // str.format builds every special token
  "tencent-Hy3.jinja": {
    plain: "<｜hy_User:opensource｜>What's the weather",
    tools: "<tool_calls:opensource>",
  },
  // integer dict keys with dictsort
  "ByteDance-Seed-OSS.jinja": {
    plain: "<seed:bos>user\nHello",
    tools: "def get_current_weather(location: str",
  },
  // tuple unpacking of a list literal
  "meetkai-functionary-medium-v3.2.jinja": { tools: "type get_current_weather = (_: {" },
  // `|string` on a dict prints Python's repr
  "unsloth-Apriel-1.5.jinja": { tools: "{'type': 'function', 'function': {'name': 'get_current_weather'" },
  "Apriel-1.6-15b-Thinker-fixed.jinja": {
    tools: "{'type': 'function', 'function': {'name': 'get_current_weather'",
  },
};

function render(text: string, tools: Tool[] | undefined): string {
  const tmpl = parseJinjaTemplate(text);
  const values = { messages: structuredClone(conversation), tools, bosToken: "<s>", eosToken: "</s>" };
  try {
    return tmpl.render(values);
  } catch (e) {
    // Some templates (Gemma 2) reject a system turn by design; Ollama would fail the same way.
    if (!(e instanceof TemplateError) || !e.message.includes("System role not supported")) throw e;
    return tmpl.render({ ...values, messages: values.messages.slice(1) });
  }
}

test("Hugging Face chat templates render a conversation", async (t) => {
  if (!existsSync(jinjaDir)) return t.skip(`fixtures not found at ${jinjaDir}`);
  const tools = JSON.parse(readFileSync(toolsFile, "utf8")) as Tool[];
  const files = readdirSync(jinjaDir)
    .filter((f) => f.endsWith(".jinja"))
    .sort();
  assert.equal(files.length, 70);
  for (const file of files) {
    await t.test(file, () => {
      const text = readFileSync(path.join(jinjaDir, file), "utf8");
      const expect = pythonFeatures[file];
      const plain = render(text, undefined);
      assert.ok(plain.includes("What's the weather like in Paris?"), file);
      if (expect?.plain) assert.ok(plain.includes(expect.plain), `${file}: ${plain}`);
      if (!parseJinjaTemplate(text).usesTools) return;
      const withTools = render(text, tools);
      if (expect?.tools) assert.ok(withTools.includes(expect.tools), `${file} with tools: ${withTools}`);
      assert.ok(withTools.includes("get_current_weather"), `${file} with tools`);
    });
  }
});

test("jinja globals: generation prompt, bos token, thinking flags", () => {
  const tmpl = parseJinjaTemplate(
    "{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}" +
      "{% if add_generation_prompt %}>{% endif %}{{ enable_thinking }}{{ reasoning_effort }}",
  );
  const out = tmpl.render({ messages: [{ role: "user", content: "hi" }], bosToken: "<s>", think: "high" });
  assert.equal(out, "<s>[user:hi]>truehigh");
});

test("jinja messages carry tool calls with object arguments", () => {
  const tmpl = parseJinjaTemplate(
    "{% for m in messages %}{% if m.tool_calls %}{% for tc in m.tool_calls %}{{ tc.function.name }}" +
      "{{ tc.function.arguments | tojson }}{% endfor %}{% endif %}" +
      "{% if m.tool_call_id is defined %}<{{ m.tool_call_id }}>{% endif %}{% endfor %}",
  );
  const out = tmpl.render({
    messages: [
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c1", function: { name: "f", arguments: { a: 1 } } }],
      },
      { role: "tool", content: "ok", toolCallId: "c1" },
    ],
  });
  assert.equal(out, 'f{"a": 1}<c1>');
});

test("raise_exception becomes a TemplateError", () => {
  const tmpl = parseJinjaTemplate("{{ raise_exception('nope') }}");
  assert.throws(() => tmpl.render({ messages: [] }), /nope/);
});
