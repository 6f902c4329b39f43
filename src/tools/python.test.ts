// Python-style tool calls through the streaming parser, whole and one character at a time.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ToolCallParser, type ParsedToolCall, type ToolLike } from "./index.js";
import { PyScanner } from "./python.js";
import { feed, feedChars, feedWhole, type Fed } from "./testutil.js";

const tools: ToolLike[] = [
  { function: { name: "get_weather", parameters: { properties: { city: {}, days: {} } } } },
  { function: { name: "get_time", parameters: { properties: new Map([["tz", {}]]) } } },
  { function: { name: "brave_search" } },
];
const fns = (calls: ParsedToolCall[]) => calls.map((c) => c.function);

function both(text: string, tag = "{"): Fed {
  const whole = feedWhole(new ToolCallParser(tag, tools), text);
  const chars = feedChars(new ToolCallParser(tag, tools), text);
  assert.equal(chars.content, whole.content);
  assert.deepEqual(fns(chars.calls), fns(whole.calls));
  return whole;
}

void describe("python-style tool calls", () => {
  void it("parses a pythonic list (Llama 3.2/4)", () => {
    const got = both(`[get_weather(city="Paris", days=3), get_time(tz='UTC')]`);
    assert.equal(got.content, "");
    assert.deepEqual(fns(got.calls), [
      { index: 0, name: "get_weather", arguments: { city: "Paris", days: 3 } },
      { index: 1, name: "get_time", arguments: { tz: "UTC" } },
    ]);
  });

  void it("parses Llama 3.1's <|python_tag|>name.call(...) after streamed text", () => {
    const got = both(`Let me look that up.\n<|python_tag|>brave_search.call(query="weather in Paris")`);
    assert.equal(got.content, "Let me look that up.\n");
    assert.deepEqual(fns(got.calls), [
      { index: 0, name: "brave_search", arguments: { query: "weather in Paris" } },
    ]);
  });

  void it("streams text at once and never shows a partial marker or call", () => {
    const p = new ToolCallParser("{", tools);
    assert.equal(p.add("Checking. <|python").content, "Checking. ");
    assert.equal(p.add("_tag|>get_wea").content, "");
    assert.deepEqual(p.add('ther(city="Os').calls, []);
    const r = p.add('lo")');
    assert.equal(r.content, "");
    assert.deepEqual(fns(r.calls), [{ index: 0, name: "get_weather", arguments: { city: "Oslo" } }]);
    assert.deepEqual(p.flush(), { content: "", calls: [] });
  });

  void it("binds positional arguments by the tool's parameter order", () => {
    const got = both(`[get_weather("Rome", 2), get_time("CET")]`);
    assert.deepEqual(fns(got.calls), [
      { index: 0, name: "get_weather", arguments: { city: "Rome", days: 2 } },
      { index: 1, name: "get_time", arguments: { tz: "CET" } },
    ]);
  });

  void it("reads Python literals: quotes, escapes, brackets in strings, nested values", () => {
    const text =
      `[get_weather(city='Pa)ri]s \\'x\\'', days=-1.5e1, opts={'a': [1, (2, 3)], "b": None, 'c': True}, ` +
      `note="""line1\nline"2""", raw=r'\\d+', u="\\u00e9\\n")]`;
    const got = both(text);
    assert.equal(got.content, "");
    assert.deepEqual(got.calls[0]?.function.arguments, {
      city: "Pa)ri]s 'x'",
      days: -15,
      opts: { a: [1, [2, 3]], b: null, c: true },
      note: 'line1\nline"2',
      raw: "\\d+",
      u: "é\n",
    });
  });

  void it("gives prose in brackets back at once", () => {
    const p = new ToolCallParser("{", tools);
    assert.equal(p.add("[Note").content, "[Note");
    assert.equal(p.add(": see below]").content, ": see below]");
    assert.equal(both("[get_weath] is not a call").content, "[get_weath] is not a call");
    assert.equal(both("[unknown_tool(a=1)] done").content, "[unknown_tool(a=1)] done");
  });

  void it("returns malformed or unfinished calls as content", () => {
    for (const text of [
      `[get_weather(city=Paris)]`,
      `[get_weather(city="Paris", city="Rome")]`,
      `[get_weather(city="Paris"] after`,
      `[get_weather("a", "b", "c")]`,
      `<|python_tag|>get_weather(city="Paris"`,
      `[get_weather(city="Paris")`,
    ]) {
      const got = both(text);
      assert.equal(got.content, text, text);
      assert.deepEqual(got.calls, [], text);
    }
  });

  void it("keeps text after a call as content", () => {
    const got = both(`[get_time(tz="UTC")] Anything else?`);
    // whitespace after a call belongs to it, as with JSON calls
    assert.equal(got.content, "Anything else?");
    assert.equal(got.calls.length, 1);
  });

  void it("works inside a template's own markers (LFM2)", () => {
    const text = `<|tool_call_start|>[get_weather(city="Paris")]<|tool_call_end|>Checking the weather.`;
    const got = both(text, "<|tool_call_start|>");
    assert.deepEqual(fns(got.calls), [{ index: 0, name: "get_weather", arguments: { city: "Paris" } }]);
    assert.equal(got.content, "Checking the weather.");
  });

  void it("JSON after <|python_tag|> still parses as before", () => {
    const got = feed(new ToolCallParser("{", tools), [
      '<|python_tag|>{"name": "get_time", ',
      '"parameters": {"tz": "UTC"}}',
    ]);
    assert.deepEqual(fns(got.calls), [{ index: 0, name: "get_time", arguments: { tz: "UTC" } }]);
  });
});

void describe("PyScanner", () => {
  void it("finds the end of a call across pieces, waiting at a quote", () => {
    const s = new PyScanner();
    assert.deepEqual(s.feed("f(a='"), { kind: "incomplete" });
    assert.deepEqual(s.feed("')"), { kind: "complete", end: 7 });
    assert.deepEqual(new PyScanner().feed("f(a)]"), { kind: "complete", end: 4 });
    assert.deepEqual(new PyScanner().feed("f(a]"), { kind: "invalid" });
    assert.deepEqual(new PyScanner().feed("f('''a\n)''')x"), { kind: "complete", end: 12 });
  });
});
