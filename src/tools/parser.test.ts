import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ToolCallParser, createToolParser, type ParsedToolCall } from "./index.js";
import { feed, feedChars, feedWhole, type Fed } from "./testutil.js";

const tools = ["get_weather", "get_time", "say_hello", "say_hello_world"].map((name) => ({
  function: { name },
}));
const qwen = `{{if .ToolCalls}}<tool_call>{{range .ToolCalls}}{"name": "{{.Function.Name}}", "arguments": {{.Function.Arguments}}}{{end}}</tool_call>{{end}}`;
const bare = `{{if .ToolCalls}}{{range .ToolCalls}}{"name": "{{.Function.Name}}", "parameters": {{.Function.Arguments}}}{{end}}{{end}}`;

const parser = (tag: string) => new ToolCallParser(tag, tools);
const fns = (calls: ParsedToolCall[]) => calls.map((c) => c.function);

/** Runs the text whole and character by character; both must agree. */
function both(tag: string, text: string): Fed {
  const whole = feedWhole(parser(tag), text);
  const chars = feedChars(parser(tag), text);
  assert.equal(chars.content, whole.content);
  assert.deepEqual(fns(chars.calls), fns(whole.calls));
  return whole;
}

void describe("tool call parser", () => {
  void it("passes plain text through at once", () => {
    const p = parser("<tool_call>");
    assert.deepEqual(p.add("Hello, how can I help?"), { content: "Hello, how can I help?", calls: [] });
    assert.deepEqual(p.flush(), { content: "", calls: [] });
  });

  void it("learns the tag from template source", () => {
    const p = createToolParser(qwen, tools);
    assert.equal(p.tag, "<tool_call>");
    assert.equal(createToolParser(bare, tools).tag, "{");
    assert.equal(createToolParser("{{ .Prompt", tools).tag, "{", "an unparsable template means bare JSON");
  });

  void it("streams content before a call and emits the call once complete", () => {
    const p = parser("<tool_call>");
    assert.deepEqual(p.add("Let me check. <tool"), { content: "Let me check. ", calls: [] });
    assert.deepEqual(p.add('_call>{"name": "get_weather", "arguments": {"city": "Paris"'), {
      content: "",
      calls: [],
    });
    const r = p.add("}}</tool_call>");
    assert.equal(r.content, "");
    assert.deepEqual(fns(r.calls), [{ index: 0, name: "get_weather", arguments: { city: "Paris" } }]);
    assert.deepEqual(p.flush(), { content: "", calls: [] });
  });

  void it("releases a partial marker that turns out to be text", () => {
    const p = parser("<tool_call>");
    assert.equal(p.add("a <tool").content, "a ");
    assert.equal(p.add("box> b").content, "<toolbox> b");
    assert.equal(p.add("<").content, "");
    assert.equal(p.flush().content, "<");
  });

  void it("keeps the argument order the model wrote", () => {
    const got = both(
      "<tool_call>",
      '<tool_call>{"name": "get_weather", "arguments": {"unit": "c", "city": "Oslo", "days": 3}}</tool_call>',
    );
    assert.deepEqual(Object.keys(got.calls[0]?.function.arguments ?? {}), ["unit", "city", "days"]);
  });

  void it("numbers calls and gives them Ollama-style ids", () => {
    const text =
      '<tool_call>{"name": "say_hello", "arguments": {}}</tool_call><tool_call>{"name": "get_time", "arguments": {"tz": "UTC"}}</tool_call>';
    const got = both("<tool_call>", text);
    assert.deepEqual(fns(got.calls), [
      { index: 0, name: "say_hello", arguments: {} },
      { index: 1, name: "get_time", arguments: { tz: "UTC" } },
    ]);
    assert.match(got.calls[0]?.id ?? "", /^call_[a-z0-9]{8}$/);
    assert.notEqual(got.calls[0]?.id, got.calls[1]?.id);
    let n = 0;
    const custom = new ToolCallParser("<tool_call>", tools, { newId: () => `id${n++}` });
    assert.deepEqual(
      feedWhole(custom, text).calls.map((c) => c.id),
      ["id0", "id1"],
    );
  });

  void it("tells apart tool names that prefix one another", () => {
    const got = both("<tool_call>", '<tool_call>{"name": "say_hello_world", "arguments": {}}</tool_call>');
    assert.deepEqual(fns(got.calls), [{ index: 0, name: "say_hello_world", arguments: {} }]);
  });

  void it("accepts arguments given as a JSON string, as parameters, or left out", () => {
    const got = both(
      "<tool_call>",
      '<tool_call>{"name": "get_weather", "arguments": "{\\"city\\": \\"Rome\\"}"}</tool_call>' +
        '<tool_call>{"name": "get_time", "parameters": {"tz": "CET"}}</tool_call>' +
        '<tool_call>{"name": "say_hello"}</tool_call>',
    );
    assert.deepEqual(fns(got.calls), [
      { index: 0, name: "get_weather", arguments: { city: "Rome" } },
      { index: 1, name: "get_time", arguments: { tz: "CET" } },
      { index: 2, name: "say_hello", arguments: {} },
    ]);
  });

  void it("accepts OpenAI's nested shape and the name-as-key shape", () => {
    const got = both(
      "{",
      '[{"type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Lima\\"}"}}, {"get_time": {"tz": "PET"}}]',
    );
    assert.deepEqual(fns(got.calls), [
      { index: 0, name: "get_weather", arguments: { city: "Lima" } },
      { index: 1, name: "get_time", arguments: { tz: "PET" } },
    ]);
  });

  void it("ignores braces and escaped quotes inside argument strings", () => {
    const text = '<tool_call>{"name": "get_weather", "arguments": {"city": "a}\\"]{b"}}</tool_call>';
    const got = both("<tool_call>", text);
    assert.deepEqual(fns(got.calls), [{ index: 0, name: "get_weather", arguments: { city: 'a}"]{b' } }]);
  });

  void it("returns text after the calls as content", () => {
    const got = both("<tool_call>", '<tool_call>{"name": "get_time", "arguments": {}}</tool_call>\n\nDone.');
    assert.equal(got.content, "Done.");
    assert.equal(got.calls.length, 1);
  });

  void describe("malformed calls are content, never dropped", () => {
    const cases: [string, string, string][] = [
      [
        "invalid JSON",
        "<tool_call>",
        '<tool_call>{"name": "get_weather", "arguments": {"city": }}</tool_call>',
      ],
      [
        "unclosed at the end",
        "<tool_call>",
        'Sure <tool_call>{"name": "get_weather", "arguments": {"city": "Paris"',
      ],
      ["a marker and nothing else", "<tool_call>", "<tool_call>"],
      ["a marker followed by prose", "<tool_call>", "<tool_call> I cannot do that."],
      ["an empty call block", "<tool_call>", "<tool_call></tool_call> ok"],
      ["unknown tool", "<tool_call>", '<tool_call>{"name": "launch", "arguments": {}}</tool_call>'],
      [
        "arguments not an object",
        "<tool_call>",
        '<tool_call>{"name": "get_weather", "arguments": [1, 2]}</tool_call>',
      ],
      ["mismatched brackets", "[TOOL_CALLS] [", '[TOOL_CALLS] [{"name": "get_time"]}'],
      ["bare JSON that is not a call", "{", '{"answer": 42, "name": "Bob"}'],
      ["bare text with braces", "{", "{name} is a placeholder"],
      ["a citation at the start", "[TOOL_CALLS] [", "[1] Smith, 2020"],
      ["the marker word in prose", "functools[", "Python's functools module has lru_cache."],
    ];
    for (const [name, tag, text] of cases) {
      void it(name, () => {
        const got = both(tag, text);
        assert.deepEqual(got.calls, []);
        assert.equal(got.content, text);
      });
    }
  });

  void it("streams bare text at once when it cannot be a call", () => {
    const p = parser("{");
    assert.equal(p.add("{na").content, "{na");
    const q = parser("{");
    assert.equal(q.add('{"na').content, "");
    assert.equal(q.add('me": 1}').content, '{"name": 1}');
  });

  void it("holds leading whitespace, dropping it before a call and keeping it before text", () => {
    assert.equal(both("{", '\n\n{"name": "get_time", "parameters": {}}').content, "");
    assert.equal(both("{", "\n\nHello").content, "\n\nHello");
    assert.equal(both("<tool_call>", "  Hi").content, "  Hi");
  });

  void it("only takes bare JSON at the start of the response", () => {
    const text = 'Here: {"name": "get_time", "parameters": {}}';
    const got = both("{", text);
    assert.deepEqual(got.calls, []);
    assert.equal(got.content, text);
  });

  void it("takes calls in a list, separated by semicolons, or one per line", () => {
    for (const text of [
      '[{"name": "get_time", "parameters": {}}, {"name": "say_hello", "parameters": {}}]',
      '{"name": "get_time", "parameters": {}}; {"name": "say_hello", "parameters": {}}',
      '{"name": "get_time", "parameters": {}}\n{"name": "say_hello", "parameters": {}}',
    ]) {
      const got = both("{", text);
      assert.deepEqual(
        got.calls.map((c) => c.function.name),
        ["get_time", "say_hello"],
        text,
      );
      assert.equal(got.content, "");
    }
  });

  void it("keeps the valid calls of a list and returns the unknown ones as content", () => {
    const got = both(
      "[TOOL_CALLS] [",
      '[TOOL_CALLS] [{"name": "get_time", "arguments": {}}, {"name": "nope", "arguments": {"a": 1}}]',
    );
    assert.deepEqual(fns(got.calls), [{ index: 0, name: "get_time", arguments: {} }]);
    assert.equal(got.content, '{"name":"nope","arguments":{"a":1}}');
  });

  void it("reads <|python_tag|> before JSON", () => {
    const got = both("{", '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Kyiv"}}<|eom_id|>');
    assert.deepEqual(fns(got.calls), [{ index: 0, name: "get_weather", arguments: { city: "Kyiv" } }]);
  });

  void it("reads mistral's [TOOL_CALLS] with and without a space, and its name[ARGS] form", () => {
    for (const text of [
      '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Nice"}}]',
      '[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Nice"}}]',
      '[TOOL_CALLS]get_weather[ARGS]{"city": "Nice"}',
    ]) {
      const got = both("[TOOL_CALLS] [", text);
      assert.deepEqual(
        fns(got.calls),
        [{ index: 0, name: "get_weather", arguments: { city: "Nice" } }],
        text,
      );
      assert.equal(got.content, "");
    }
  });

  void it("keeps content between tool-call blocks", () => {
    const got = both(
      "<tool_call>",
      'A <tool_call>{"name": "get_time", "arguments": {}}</tool_call> B <tool_call>{"name": "say_hello", "arguments": {}}</tool_call> C',
    );
    assert.equal(got.content, "A B C");
    assert.deepEqual(
      got.calls.map((c) => c.function.index),
      [0, 1],
    );
  });

  void it("handles pieces of any size", () => {
    const text =
      'Checking.<tool_call>\n{"name": "get_weather", "arguments": {"city": "Accra"}}\n</tool_call>';
    for (let size = 1; size <= 12; size++) {
      const pieces: string[] = [];
      for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
      const got = feed(parser("<tool_call>"), pieces);
      assert.equal(got.content, "Checking.");
      assert.deepEqual(fns(got.calls), [{ index: 0, name: "get_weather", arguments: { city: "Accra" } }]);
    }
  });

  void it("stays linear on long arguments fed a character at a time", () => {
    const long = "x".repeat(200_000);
    const started = Date.now();
    const got = feedChars(
      parser("<tool_call>"),
      `<tool_call>{"name": "get_weather", "arguments": {"city": "${long}"}}</tool_call>`,
    );
    assert.equal(got.calls.length, 1);
    assert.ok(Date.now() - started < 5000);
  });
});
