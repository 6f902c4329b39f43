import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inferThinkingTags } from "./index.js";
import { parseOllamaTemplate } from "../template/index.js";

const qwen3 = `{{- if or .System .Tools .Thinking }}<|im_start|>system
{{- if .Thinking }}
/think
{{- else }}
/no_think
{{- end }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ if and $last .Thinking }}
<think>{{ .Thinking }}</think>
{{ end }}
{{ if .Content }}{{ .Content }}{{ end }}{{ if not $last }}<|im_end|>
{{ end }}
{{- end }}
{{- end }}`;

void describe("inferThinkingTags", () => {
  void it("finds the tags around .Thinking in a range over .Messages", () => {
    assert.deepEqual(inferThinkingTags(qwen3), { open: "<think>", close: "</think>" });
  });

  void it("accepts a parsed tree", () => {
    assert.deepEqual(inferThinkingTags(parseOllamaTemplate(qwen3).template.root), {
      open: "<think>",
      close: "</think>",
    });
  });

  void it("trims the text around .Thinking", () => {
    const t = `{{- range $i, $_ := .Messages }}{{ if .Thinking }}
   Some text before   {{ .Thinking }}    Some text after
{{ end }}{{ end }}`;
    assert.deepEqual(inferThinkingTags(t), { open: "Some text before", close: "Some text after" });
  });

  void it("ignores .Thinking outside a range over .Messages", () => {
    const t = `{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ range .Messages }}{{ range .Other }}<t>{{ .Thinking }}</t>{{ end }}{{ end }}`;
    assert.deepEqual(inferThinkingTags(t), { open: "", close: "" });
  });

  void it("finds nothing in templates without thinking or that do not parse", () => {
    assert.deepEqual(inferThinkingTags("{{ range .Messages }}{{ .Content }}{{ end }}"), {
      open: "",
      close: "",
    });
    assert.deepEqual(inferThinkingTags("{{ if .Thinking }"), { open: "", close: "" });
  });
});
