// The built-in templates against Ollama's golden renders, and detection against the Hugging Face
// chat templates Ollama maps to each one. Both read ../shared/fixtures and skip without it.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseOllamaTemplate, type TemplateMessage } from "../../template/index.js";
import { BUILTIN_TEMPLATES, builtinTemplate, detectTemplate } from "./templates.js";

// dist/src/core/create/ → repository root is four levels up; ../shared beside it.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const fixtures = path.resolve(repoRoot, "..", "shared", "fixtures", "ollama-templates");
const goldens = path.join(fixtures, "testdata");

const user = { role: "user", content: "Hello, how are you?" };
const assistant = { role: "assistant", content: "I'm doing great. How can I help you today?" };
const user2 = { role: "user", content: "I'd like to show off how chat templating works!" };
const system = { role: "system", content: "You are a helpful assistant." };
const scenarios: Record<string, TemplateMessage[]> = {
  user: [user],
  "user-assistant-user": [user, assistant, user2],
  "system-user-assistant-user": [system, user, assistant, user2],
};
// Ollama's own test drops one trailing space from these renders before comparing.
const trimOneSpace = new Set(["chatqa", "llama2-chat", "mistral-instruct", "openchat", "vicuna"]);

test("every built-in template parses and has stop words", () => {
  const names = new Set<string>();
  for (const t of BUILTIN_TEMPLATES) {
    assert.doesNotThrow(() => parseOllamaTemplate(t.template), t.name);
    assert.ok(Array.isArray(t.parameters.stop) && t.parameters.stop.length > 0, t.name);
    assert.ok(!names.has(t.name), `duplicate ${t.name}`);
    names.add(t.name);
  }
});

test("built-in templates render Ollama's golden prompts", async (t) => {
  if (!existsSync(goldens)) return t.skip(`fixtures not found at ${goldens}`);
  for (const tmpl of BUILTIN_TEMPLATES) {
    const dir = path.join(goldens, `${tmpl.name}.gotmpl`);
    if (!existsSync(dir)) continue;
    await t.test(tmpl.name, () => {
      const parsed = parseOllamaTemplate(tmpl.template);
      for (const [scenario, messages] of Object.entries(scenarios)) {
        let got = parsed.render({ messages: structuredClone(messages) });
        if (trimOneSpace.has(tmpl.name) && got.endsWith(" ")) got = got.slice(0, -1);
        let want = readFileSync(path.join(dir, scenario), "utf8");
        if (trimOneSpace.has(tmpl.name) && want.endsWith(" ")) want = want.slice(0, -1);
        assert.equal(got, want, `${tmpl.name} / ${scenario}`);
      }
    });
  }
});

test("built-in stop words match Ollama's defaults", (t) => {
  if (!existsSync(fixtures)) return t.skip(`fixtures not found at ${fixtures}`);
  for (const tmpl of BUILTIN_TEMPLATES) {
    const file = path.join(fixtures, `${tmpl.name}.json`);
    if (!existsSync(file)) continue;
    assert.deepEqual(tmpl.parameters, JSON.parse(readFileSync(file, "utf8")), tmpl.name);
  }
});

test("Hugging Face chat templates are detected as Ollama matches them", (t) => {
  const file = path.join(goldens, "templates.jsonl");
  if (!existsSync(file)) return t.skip(`fixtures not found at ${file}`);
  let checked = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    for (const [want, jinja] of Object.entries(JSON.parse(line) as Record<string, string>)) {
      if (!builtinTemplate(want)) continue;
      assert.equal(detectTemplate(jinja)?.name, want, jinja.slice(0, 200));
      checked++;
    }
  }
  assert.ok(checked >= 30, `only ${checked} templates checked`);
});

test("tool-using and unknown templates are left to the Jinja fallback", () => {
  assert.equal(detectTemplate(""), undefined);
  assert.equal(detectTemplate("{{ messages[0].content }}"), undefined);
  const qwen =
    "{%- if tools %}{{- '<|im_start|>system\\n' }}{%- endif %}{%- for message in messages %}<|im_start|>{% endfor %}";
  assert.equal(detectTemplate(qwen), undefined);
});
