// Ollama's template layer, mirroring template/template_test.go's cases.

import assert from "node:assert/strict";
import { test } from "node:test";

import { collate, parseOllamaTemplate, tagImages, thinkValues, type Tool } from "./index.js";

test("vars: lower-cased identifiers, with the appended .Response", () => {
  const cases: [string, string[]][] = [
    ["{{ .Prompt }}", ["prompt", "response"]],
    ["{{ .System }} {{ .Prompt }} {{ .Response }}", ["prompt", "response", "system"]],
    [
      "{{ with .Tools }}{{ . }}{{ end }} {{ .System }} {{ .Prompt }}",
      ["prompt", "response", "system", "tools"],
    ],
    ["{{ range .Messages }}{{ .Role }} {{ .Content }}{{ end }}", ["content", "messages", "role"]],
    [
      '{{ range .Messages }}{{ if eq .Role "tool" }}Tool Result: {{ .ToolName }} {{ .Content }}{{ end }}{{ end }}',
      ["content", "messages", "role", "toolname"],
    ],
  ];
  for (const [src, vars] of cases) assert.deepEqual(parseOllamaTemplate(src).vars(), vars, src);
  const t = parseOllamaTemplate(
    "{{ if .Suffix }}{{ .Suffix }}{{ end }}{{ range .Messages }}{{ end }}{{ .Tools }}",
  );
  assert.equal(t.usesSuffix, true);
  assert.equal(t.usesTools, true);
});

test("parse errors", () => {
  assert.throws(() => parseOllamaTemplate("{{ .Prompt "), /unclosed action/);
  assert.throws(
    () => parseOllamaTemplate('{{define "x"}}{{template "x"}}{{end}}{{template "x"}}'),
    /undefined template specified/,
  );
});

const mistralMessages = [
  { role: "user", content: "Hello friend!" },
  { role: "assistant", content: "Hello human!" },
  { role: "user", content: "What is your name?" },
];

test("legacy and .Messages templates render the same conversation", () => {
  const templates = [
    "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] ",
    "[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] {{ .Response }}",
    '[INST] {{ if .System }}{{ .System }}\n\n{{ end }}\n{{- range .Messages }}\n{{- if eq .Role "user" }}{{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}[INST] {{ end }}\n{{- end }}',
  ];
  for (const src of templates) {
    const t = parseOllamaTemplate(src);
    assert.equal(
      t.render({ messages: mistralMessages }),
      "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] ",
      src,
    );
    assert.equal(
      t.render({
        messages: [{ role: "system", content: "You are a helpful assistant!" }, ...mistralMessages],
      }),
      "[INST] You are a helpful assistant!\n\nHello friend![/INST] Hello human![INST] What is your name?[/INST] ",
      src,
    );
  }
  const partial = [...mistralMessages, { role: "assistant", content: "My name is Ollama and I" }];
  for (const src of ["[INST] {{ .Prompt }}[/INST] {{ .Response }}", "[INST] {{ .Prompt }}[/INST] "]) {
    assert.equal(
      parseOllamaTemplate(src).render({ messages: partial }),
      "[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I",
    );
  }
});

test("chatml legacy template cuts after .Response on the last turn", () => {
  const src =
    "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ .Response }}<|im_end|>\n";
  const out = parseOllamaTemplate(src).render({
    messages: [{ role: "system", content: "You are a helpful assistant!" }, ...mistralMessages],
  });
  assert.equal(
    out,
    "<|im_start|>system\nYou are a helpful assistant!<|im_end|>\n<|im_start|>user\nHello friend!<|im_end|>\n<|im_start|>assistant\nHello human!<|im_end|>\n<|im_start|>user\nWhat is your name?<|im_end|>\n<|im_start|>assistant\n",
  );
});

test("suffix: fill-in-the-middle renders Prompt and Suffix only", () => {
  const t = parseOllamaTemplate(
    "{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>\n{{- else }}{{ .Prompt }}\n{{- end }}",
  );
  assert.equal(t.render({ messages: [{ role: "user", content: "hello" }] }), "hello");
  assert.equal(t.render({ prompt: "def add(", suffix: "return x" }), "<PRE> def add( <SUF>return x <MID>");
});

test("collate merges consecutive same-role messages except tool results", () => {
  const [system, msgs] = collate([
    { role: "system", content: "You are helpful" },
    { role: "user", content: "Hello" },
    { role: "user", content: "How are you?" },
    { role: "tool", content: "sunny", toolName: "a" },
    { role: "tool", content: "72F", toolName: "b" },
  ]);
  assert.equal(system, "You are helpful");
  assert.deepEqual(
    msgs.map((m) => [m.role, m.content]),
    [
      ["system", "You are helpful"],
      ["user", "Hello\n\nHow are you?"],
      ["tool", "sunny"],
      ["tool", "72F"],
    ],
  );
});

const weatherTool: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get <weather>",
    parameters: {
      type: "object",
      required: ["location"],
      properties: {
        unit: { type: "string", enum: ["c", "f"], description: "Unit" },
        location: { description: "City name", type: "string" },
      },
    },
  },
};

test("tools, properties and arguments print as Go's JSON", () => {
  const t = parseOllamaTemplate(
    "{{- range .Messages }}{{ range .ToolCalls }}{{ .Function.Arguments }}{{ end }}{{ end }}|{{ .Tools }}|" +
      "{{- range .Tools }}{{ .Function.Parameters.Properties }}|{{ range $k, $v := .Function.Parameters.Properties }}{{ $k }}:{{ $v.Type }}:{{ toTypeScriptType $v }};{{ end }}{{ end }}",
  );
  const out = t.render({
    messages: [
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { function: { name: "get_weather", arguments: { unit: "c", location: "Tokyo", n: 1.5 } } },
        ],
      },
    ],
    tools: [weatherTool],
  });
  const [args, tools, props, ranged] = out.split("|");
  assert.equal(args, '{"location":"Tokyo","n":1.5,"unit":"c"}');
  assert.equal(
    tools,
    '[{"type":"function","function":{"name":"get_weather","description":"Get \\u003cweather\\u003e","parameters":{"type":"object","required":["location"],"properties":{"location":{"type":"string","description":"City name"},"unit":{"type":"string","description":"Unit","enum":["c","f"]}}}}}]',
  );
  assert.equal(
    props,
    '{"location":{"type":"string","description":"City name"},"unit":{"type":"string","description":"Unit","enum":["c","f"]}}',
  );
  assert.equal(ranged, "location:string:string;unit:string:string;");
});

test("json function and think values", () => {
  const t = parseOllamaTemplate(
    "{{ range .Messages }}{{ json .Content }}{{ end }}{{ if .Think }} think={{ .ThinkLevel }}{{ end }}{{ .IsThinkSet }}",
  );
  assert.equal(
    t.render({ messages: [{ role: "user", content: "a<b" }], ...thinkValues("high") }),
    '"a\\u003cb" think=hightrue',
  );
  assert.equal(
    t.render({ messages: [{ role: "user", content: "x" }], ...thinkValues(undefined) }),
    '"x"false',
  );
  assert.deepEqual(thinkValues(true), { think: true, thinkLevel: "medium", isThinkSet: true });
});

test("messages path: missing top-level keys print <no value>, nil tools print null", () => {
  const t = parseOllamaTemplate(
    "{{ range .Messages }}{{ end }}{{ .Prompt }} {{ .Tools }} {{ if .Tools }}yes{{ else }}no{{ end }}",
  );
  assert.equal(t.render({ messages: [{ role: "user", content: "x" }] }), "<no value> null no");
  assert.equal(t.render({ messages: [{ role: "user", content: "x" }], tools: [] }), "<no value> [] no");
});

test("currentDate is today's local date", () => {
  const t = parseOllamaTemplate("{{- range .Messages }}{{ .Content }}{{ end }} Today is {{ currentDate }}");
  const d = new Date();
  const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  assert.equal(t.render({ messages: [{ role: "user", content: "Hello" }] }), `Hello Today is ${today}`);
});

test("tagImages numbers images across messages and honours [img]", () => {
  const img = new Uint8Array([1]);
  const { messages, images } = tagImages([
    { role: "user", content: "You're a test, Harry!", images: [img] },
    { role: "assistant", content: "I-I'm a what?" },
    { role: "user", content: "A test. [img] And [img] one", images: [img, img] },
  ]);
  assert.deepEqual(
    messages.map((m) => m.content),
    ["[img-0]You're a test, Harry!", "I-I'm a what?", "A test. [img-1] And [img-2] one"],
  );
  assert.equal(images.length, 3);
});
