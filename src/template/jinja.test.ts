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

// Features @huggingface/jinja 0.5 lacks: str.format (Hy3), integer dict keys (Seed-OSS), tuple unpacking
// of a list literal (Functionary v3.2 with tools) and `|string` on a dict (Apriel with tools).
const unsupported: Record<string, "always" | "tools"> = {
  "tencent-Hy3.jinja": "always",
  "ByteDance-Seed-OSS.jinja": "always",
  "meetkai-functionary-medium-v3.2.jinja": "tools",
  "unsloth-Apriel-1.5.jinja": "tools",
  "Apriel-1.6-15b-Thinker-fixed.jinja": "tools",
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
      const gap = unsupported[file];
      if (gap === "always") {
        assert.throws(() => render(text, undefined), TemplateError);
        return;
      }
      const plain = render(text, undefined);
      assert.ok(plain.includes("What's the weather like in Paris?"), file);
      if (!parseJinjaTemplate(text).usesTools) return;
      if (gap === "tools") {
        assert.throws(() => render(text, tools), TemplateError);
        return;
      }
      assert.ok(render(text, tools).includes("get_current_weather"), `${file} with tools`);
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
