import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toolCallTag } from "./index.js";
import { markersForTag } from "./markers.js";

void describe("toolCallTag", () => {
  const cases: [string, string, string][] = [
    ["no template text", "", "{"],
    ["an empty block", "{{if .ToolCalls}}{{end}}", "{"],
    ["only an action in range", "{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{"],
    ["a code fence", "{{if .ToolCalls}}```json\n{{end}}", "```json"],
    ["a list", "{{if .ToolCalls}}[{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "["],
    ["a list after whitespace", "{{if .ToolCalls}}\n [ {{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "["],
    ["text only after the range", "{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "{"],
    [
      "JSON objects in range",
      '{{if .ToolCalls}}{{range .ToolCalls}}\r\n{"name": "{{ .Function.Name }}"}{{end}}{{end}}',
      "{",
    ],
    [
      "a tag inside the range",
      '{{if .ToolCalls}}\n{{range .ToolCalls}}<tool_call>{"name": "{{ .Function.Name }}"}</tool_call>{{end}}{{end}}',
      "<tool_call>",
    ],
    ["the first of several texts", "{{if .ToolCalls}}First{{if .X}}inner{{end}}Second{{end}}", "First"],
    ["in an else-if", "{{if .Content}}{{ .Content }}{{else if .ToolCalls}}functools[{{end}}", "functools["],
    [
      "inside a range over messages",
      "{{range .Messages}}{{if .ToolCalls}}[TOOL_CALL][{{end}}{{end}}",
      "[TOOL_CALL][",
    ],
    ["a template that does not parse", "{{if .ToolCalls}", "{"],
  ];
  for (const [name, template, want] of cases) {
    void it(name, () => assert.equal(toolCallTag(template), want));
  }
});

void describe("markersForTag", () => {
  void it("drops a trailing list bracket and derives closing tags", () => {
    assert.deepEqual(markersForTag("[TOOL_CALLS] ["), {
      open: ["[TOOL_CALLS]", "<|python_tag|>"],
      close: ["```", "[/TOOL_CALLS]"],
    });
    assert.deepEqual(markersForTag("<tool_call>").close, ["```", "</tool_call>"]);
    assert.deepEqual(markersForTag("{").open, ["<|python_tag|>"]);
    assert.deepEqual(markersForTag("[").open, ["<|python_tag|>"]);
    assert.deepEqual(markersForTag("functools[").open, ["functools", "<|python_tag|>"]);
  });
});
