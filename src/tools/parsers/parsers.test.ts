// Built-in parsers on outputs written the way each model writes them, fed whole and in small pieces:
// every split must give the same content, thinking and calls.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ToolLike } from "../types.js";
import { builtinParserNames, parserCapabilities, parserForName, type ParserInit } from "./index.js";

const tools: ToolLike[] = [
  {
    function: {
      name: "get_weather",
      parameters: {
        properties: new Map<string, unknown>([
          ["city", { type: ["string"] }],
          ["days", { type: ["integer"] }],
          ["metric", { type: ["boolean"] }],
          ["hours", { type: ["array"] }],
          ["limit", { anyOf: [{ type: ["number"] }, { type: ["null"] }] }],
        ]),
      },
    },
  },
  { function: { name: "search", parameters: { properties: { query: { type: "string" } } } } },
];

interface Result {
  content: string;
  thinking: string;
  calls: { name: string; arguments: Record<string, unknown>; index: number }[];
}

function run(name: string, pieces: string[], init: ParserInit = {}): Result {
  let n = 0;
  const p = parserForName(name, { tools, newId: () => `call_${n++}`, ...init });
  assert.ok(p, name);
  const out: Result = { content: "", thinking: "", calls: [] };
  pieces.forEach((piece, i) => {
    const r = p.add(piece, i === pieces.length - 1);
    out.content += r.content;
    out.thinking += r.thinking;
    out.calls.push(...r.calls.map((c) => c.function));
  });
  return out;
}

/** Whole, then in pieces of 1, 2, 3 and 7 characters; all must agree. */
function parse(name: string, text: string, init: ParserInit = {}): Result {
  const whole = run(name, [text], init);
  for (const size of [1, 2, 3, 7]) {
    const chars = [...text];
    const pieces: string[] = [];
    for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
    pieces.push("");
    assert.deepEqual(run(name, pieces, init), whole, `${name} in pieces of ${size}`);
  }
  return whole;
}

void describe("qwen3-coder", () => {
  void it("parses XML calls with values typed by the schema", () => {
    const text =
      "I'll check the weather for you.\n\n<tool_call>\n<function=get_weather>\n<parameter=city>\nSan Francisco, CA\n</parameter>\n" +
      "<parameter=days>\n3\n</parameter>\n<parameter=metric>\nTrue\n</parameter>\n<parameter=hours>\n[6, 12]\n</parameter>\n" +
      "<parameter=limit>\nnull\n</parameter>\n</function>\n</tool_call>\n<tool_call>\n<function=search>\n<parameter=query>\n" +
      "a < b && c > d\nsecond line\n</parameter>\n</function>\n</tool_call>";
    const got = parse("qwen3-coder", text);
    assert.equal(got.content, "I'll check the weather for you.");
    assert.equal(got.thinking, "");
    assert.deepEqual(got.calls, [
      {
        index: 0,
        name: "get_weather",
        arguments: { city: "San Francisco, CA", days: 3, metric: true, hours: [6, 12], limit: null },
      },
      { index: 1, name: "search", arguments: { query: "a < b && c > d\nsecond line" } },
    ]);
  });

  void it("streams content at once, holding only a possible tag and trailing space", () => {
    const p = parserForName("qwen3-coder", { tools });
    assert.ok(p);
    assert.equal(p.add("Hello there", false).content, "Hello there");
    assert.equal(p.add(" and <tool", false).content, " and");
    assert.equal(p.add("box> too ", false).content, " <toolbox> too");
    assert.equal(p.add("", true).content, "");
  });

  void it("keeps text after a call, and a forgotten </parameter>", () => {
    const text =
      "<tool_call>\n<function=search>\n<parameter=query>\nweather\n</function>\n</tool_call>\n\nDone.";
    const got = parse("qwen3-coder", text);
    assert.deepEqual(got.calls, [{ index: 0, name: "search", arguments: { query: "weather" } }]);
    assert.equal(got.content, "Done.");
  });

  void it("a call cut off by the end of output still counts when its function closed", () => {
    const got = parse(
      "qwen3-coder",
      "<tool_call>\n<function=search>\n<parameter=query>\nx\n</parameter>\n</function>",
    );
    assert.deepEqual(got.calls, [{ index: 0, name: "search", arguments: { query: "x" } }]);
  });

  void it("an unparsable call comes back as content", () => {
    const got = parse("qwen3-coder", "<tool_call>\nnot a call\n</tool_call>");
    assert.equal(got.content, "<tool_call>\nnot a call\n</tool_call>");
    assert.deepEqual(got.calls, []);
  });
});

void describe("qwen3 family", () => {
  const json =
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}\n</tool_call>';

  void it("qwen3-thinking: thinking (with or without a repeated <think>), content, JSON calls", () => {
    for (const start of ["", "<think>\n"]) {
      const got = parse(
        "qwen3-thinking",
        `${start}The user wants weather.\n</think>\n\nLet me check.\n${json}`,
        {
          think: true,
        },
      );
      assert.equal(got.thinking, "The user wants weather.");
      assert.equal(got.content, "Let me check.");
      assert.deepEqual(got.calls, [{ index: 0, name: "get_weather", arguments: { city: "Paris", days: 2 } }]);
    }
  });

  void it("qwen3-thinking with think off is all content; a call inside thinking ends it", () => {
    assert.equal(parse("qwen3-thinking", "Hi </think> there", { think: false }).content, "Hi </think> there");
    const got = parse("qwen3-thinking", `Need a tool.\n${json}`, { think: true });
    assert.equal(got.thinking, "Need a tool.");
    assert.equal(got.calls.length, 1);
  });

  void it("qwen3 and qwen3-vl-instruct: no thinking", () => {
    for (const name of ["qwen3", "qwen3-vl-instruct"]) {
      const got = parse(name, `Sure.\n\n${json}`, { think: true });
      assert.equal(got.content, "Sure.");
      assert.equal(got.thinking, "");
      assert.equal(got.calls[0]?.name, "get_weather");
    }
  });

  void it("qwen3-vl-thinking always thinks, except after a prefill", () => {
    assert.equal(parse("qwen3-vl-thinking", "hmm</think>ok", { think: false }).thinking, "hmm");
    const prefilled = parse("qwen3-vl-thinking", " more text", {
      lastMessage: { role: "assistant", content: "Some" },
    });
    assert.equal(prefilled.content, " more text");
  });

  void it("qwen3.5: thinking, then XML calls", () => {
    const text =
      "<think>\nCheck Paris.\n</think>\n\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>";
    const got = parse("qwen3.5", text, { think: true });
    assert.equal(got.thinking, "Check Paris.");
    assert.equal(got.content, "");
    assert.deepEqual(got.calls, [{ index: 0, name: "get_weather", arguments: { city: "Paris" } }]);
    assert.equal(parse("qwen3.5", "Plain answer.", { think: false }).content, "Plain answer.");
  });
});

void describe("deepseek3 and cogito", () => {
  void it("deepseek3: thinking then DeepSeek V3.1 calls", () => {
    const text =
      "The user asks about weather.</think>I'll look it up." +
      '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"city": "Paris"}<｜tool▁call▁end｜>' +
      '<｜tool▁call▁begin｜>search<｜tool▁sep｜>{"query": "paris"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>';
    const got = parse("deepseek3", text, { think: true });
    assert.equal(got.thinking, "The user asks about weather.");
    assert.equal(got.content, "I'll look it up.");
    assert.deepEqual(got.calls, [
      { index: 0, name: "get_weather", arguments: { city: "Paris" } },
      { index: 1, name: "search", arguments: { query: "paris" } },
    ]);
  });

  void it("cogito: R1-style calls; no thinking when tools are given", () => {
    const text =
      '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{"city": "Oslo"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>';
    const got = parse("cogito", text, { think: true });
    assert.equal(got.thinking, "");
    assert.equal(got.content, "");
    assert.deepEqual(got.calls, [{ index: 0, name: "get_weather", arguments: { city: "Oslo" } }]);
    const noTools = run("cogito", ["Let me think.</think>Answer."], { think: true, tools: [] });
    assert.equal(noTools.thinking, "Let me think.");
    assert.equal(noTools.content, "Answer.");
  });
});

void describe("glm-4.7", () => {
  const glmTools: ToolLike[] = [
    {
      function: {
        name: "calculate",
        parameters: { properties: { count: { type: "integer" }, enabled: { type: "boolean" } } },
      },
    },
  ];

  void it("starts in thinking (the prompt opened it); values typed by the schema", () => {
    const text =
      "plan</think>Answer<tool_call>calculate<arg_key>count</arg_key><arg_value>3</arg_value>" +
      "<arg_key>enabled</arg_key><arg_value>true</arg_value></tool_call>";
    const got = parse("glm-4.7", text, { tools: glmTools });
    assert.equal(got.thinking, "plan");
    assert.equal(got.content, "Answer");
    assert.deepEqual(got.calls, [{ index: 0, name: "calculate", arguments: { count: 3, enabled: true } }]);
  });

  void it("no thinking, thinking off, several calls, text kept as written", () => {
    assert.deepEqual(parse("glm-4.7", "</think>Plain answer"), {
      content: "Plain answer",
      thinking: "",
      calls: [],
    });
    assert.equal(parse("glm-4.7", "Plain answer", { think: false }).content, "Plain answer");
    const text =
      "plan</think>\n<tool_call>first<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>\n" +
      "<tool_call>exec\n<arg_key>expr</arg_key>\n<arg_value>a < b && c > d</arg_value></tool_call>";
    assert.deepEqual(parse("glm-4.7", text, { tools: [] }).calls, [
      { index: 0, name: "first", arguments: { a: "1" } },
      { index: 1, name: "exec", arguments: { expr: "a < b && c > d" } },
    ]);
  });
});

void describe("parser registry", () => {
  void it("knows Ollama's names and their capabilities", () => {
    assert.equal(parserForName("no-such-parser"), undefined);
    assert.deepEqual(parserCapabilities("qwen3-coder"), { tools: true, thinking: false });
    assert.deepEqual(parserCapabilities("qwen3.5"), { tools: true, thinking: true });
    assert.deepEqual(parserCapabilities("passthrough"), { tools: false, thinking: false });
    assert.ok(builtinParserNames.includes("harmony"));
  });

  void it("harmony: gpt-oss channels", () => {
    const got = run("harmony", [
      "<|channel|>analysis<|message|>Need weather.<|end|>",
      '<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Rome"}<|call|>',
    ]);
    assert.equal(got.thinking, "Need weather.");
    assert.deepEqual(got.calls, [{ index: 0, name: "get_weather", arguments: { city: "Rome" } }]);
  });

  void it("passthrough leaves text alone", () => {
    assert.equal(run("passthrough", ["<think>x</think>", " y"]).content, "<think>x</think> y");
  });
});

void describe("a call the output ends inside (no close tag)", () => {
  void it("counts when its body is whole, and is dropped as in Ollama when it may be cut short", () => {
    const xml = "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n";
    // qwen3-coder: the function element unclosed, a value may be cut: no call, nothing shown
    assert.deepEqual(parse("qwen3-coder", `Sure.${xml}`), { content: "Sure.", thinking: "", calls: [] });
    // closed function, missing only </tool_call>: whole
    const closed = parse("qwen3-coder", `${xml}</function>`);
    assert.deepEqual(closed.calls, [{ index: 0, name: "get_weather", arguments: { city: "Paris" } }]);
    // qwen3: a JSON body that parses is whole; one cut short is dropped
    const json = '<tool_call>{"name":"search","arguments":{"query":"x"}}';
    assert.equal(parse("qwen3", json).calls.length, 1);
    assert.deepEqual(parse("qwen3", 'Sure.<tool_call>{"name":"search","argu'), {
      content: "Sure.",
      thinking: "",
      calls: [],
    });
    // GLM's arguments have no end of their own: an unclosed call never counts
    const glm = "<tool_call>search\n<arg_key>query</arg_key>\n<arg_value>x</arg_value>\n";
    assert.deepEqual(parse("glm-4.7", glm, { think: false }).calls, []);
  });
});

void describe("harmony after a prefill", () => {
  void it("continues in the final channel after content, in analysis after thinking alone", () => {
    const after = (lastMessage: ParserInit["lastMessage"]) =>
      parse("harmony", " and more<|end|><|start|>assistant<|channel|>final<|message|>Done.", { lastMessage });
    assert.deepEqual(after({ role: "assistant", content: "Some" }), {
      content: " and moreDone.",
      thinking: "",
      calls: [],
    });
    assert.deepEqual(after({ role: "assistant", content: "", thinking: "Hmm" }), {
      content: "Done.",
      thinking: " and more",
      calls: [],
    });
  });
});

void describe("ministral", () => {
  const named = (...names: string[]): ToolLike[] => names.map((name) => ({ function: { name } }));
  void it("parses [TOOL_CALLS]name[ARGS]{...} calls, one after another, with content around them", () => {
    const init = { tools: named("get_weather", "get_time", "format") };
    assert.deepEqual(
      parse(
        "ministral",
        'Let me check. [TOOL_CALLS]get_weather[ARGS]{"location": "NYC"}[TOOL_CALLS]get_time[ARGS]{"timezone": "EST"}',
        init,
      ),
      {
        content: "Let me check.",
        thinking: "",
        calls: [
          { index: 0, name: "get_weather", arguments: { location: "NYC" } },
          { index: 1, name: "get_time", arguments: { timezone: "EST" } },
        ],
      },
    );
    // brackets and escaped quotes inside strings do not end the arguments; text after a call is content
    assert.deepEqual(parse("ministral", '[TOOL_CALLS]format[ARGS]{"t": "Hi {name} \\"x\\" ]"}after', init), {
      content: "after",
      thinking: "",
      calls: [{ index: 0, name: "format", arguments: { t: 'Hi {name} "x" ]' } }],
    });
  });

  void it("[THINK] blocks are thinking; an undeclared tool stays text; an unfinished call is dropped", () => {
    const init = { tools: named("get_weather") };
    assert.deepEqual(parse("ministral", "[THINK]Let me see.[/THINK]\n\nSunny.", init), {
      content: "Sunny.",
      thinking: "Let me see.",
      calls: [],
    });
    assert.deepEqual(parse("ministral", '[TOOL_CALLS]nope[ARGS]{"a":1}', init), {
      content: '[TOOL_CALLS]nope[ARGS]{"a":1}',
      thinking: "",
      calls: [],
    });
    assert.deepEqual(parse("ministral", 'Sure.[TOOL_CALLS]get_weather[ARGS]{"location": "Par', init), {
      content: "Sure.",
      thinking: "",
      calls: [],
    });
    assert.deepEqual(parserCapabilities("ministral"), { tools: true, thinking: false });
  });
});

void describe("nemotron-3-nano", () => {
  void it("Ollama's vectors: thinking ends at </think> or a call, a repeated <think> is ignored", () => {
    const cases: Array<[string, string, string]> = [
      [
        "Let me think about this...</think>\nHere is my answer.",
        "Let me think about this...",
        "Here is my answer.",
      ],
      ["My thoughts...</think>   \n\t\n   Content here.", "My thoughts...", "Content here."],
      [
        "<think>\nLet me think about this...</think>\nHere is my answer.",
        "Let me think about this...",
        "Here is my answer.",
      ],
      ["<think></think>\nHere is my answer.", "", "Here is my answer."],
    ];
    for (const [text, thinking, content] of cases) {
      assert.deepEqual(parse("nemotron-3-nano", text), { thinking, content, calls: [] }, text);
    }
    const call = parse(
      "nemotron-3.5-nano",
      "Let me think...</think>\nI'll check for you.\n<tool_call>\n<function=search>\n<parameter=query>\ntest\n</parameter>\n</function>\n</tool_call>",
    );
    assert.deepEqual(call, {
      thinking: "Let me think...",
      content: "I'll check for you.",
      calls: [{ index: 0, name: "search", arguments: { query: "test" } }],
    });
    // thinking off: all content, a stray </think> included
    assert.equal(
      parse("nemotron-3-nano", "</think>\nSome content.", { think: false }).content,
      "</think>\nSome content.",
    );
  });
});

void describe("olmo3-think", () => {
  void it("Ollama's vectors: thinking up to the first </think>, content as written after it", () => {
    const cases: Array<[string, string, string]> = [
      [
        "I need to think about this.</think>Here is my response.",
        "I need to think about this.",
        "Here is my response.",
      ],
      ["</think>Just content here.", "", "Just content here."],
      ["  Some thinking  </think>  Content here  ", "  Some thinking", "Content here  "],
      [
        "I'm thinking <think>nested</think> more thinking</think>Final content.",
        "I'm thinking <think>nested",
        "more thinking</think>Final content.",
      ],
      ["Let me go with that.\n\n</think>\n\nHi! 😊", "Let me go with that.", "Hi! 😊"],
    ];
    for (const [text, thinking, content] of cases) {
      assert.deepEqual(parse("olmo3-think", text), { thinking, content, calls: [] }, text);
    }
    const prefilled = parse("olmo3-think", "Continuing.", {
      lastMessage: { role: "assistant", content: "Some" },
    });
    assert.deepEqual(prefilled, { thinking: "", content: "Continuing.", calls: [] });
    assert.deepEqual(parserCapabilities("olmo3-think"), { tools: false, thinking: true });
  });
});

void describe("olmo3", () => {
  void it("Ollama's vectors: Python-style calls a line in <function_calls>, content as written", () => {
    const init = {
      tools: ["get_weather", "toggle_setting", "clear_value", "process_items", "set_price"].map(
        (name): ToolLike => ({ function: { name } }),
      ),
    };
    assert.deepEqual(
      parse(
        "olmo3",
        'Let me check the weather.<function_calls>get_weather(location="San Francisco")\nget_weather(location="New York")</function_calls>',
        init,
      ),
      {
        content: "Let me check the weather.",
        thinking: "",
        calls: [
          { index: 0, name: "get_weather", arguments: { location: "San Francisco" } },
          { index: 1, name: "get_weather", arguments: { location: "New York" } },
        ],
      },
    );
    const typed = parse(
      "olmo3",
      '<function_calls>toggle_setting(enabled=true)\nclear_value(field=null)\nset_price(amount=19.99)\nprocess_items(items=["apple", "banana"])</function_calls>',
      init,
    );
    assert.deepEqual(
      typed.calls.map((c) => c.arguments),
      [{ enabled: true }, { field: null }, { amount: 19.99 }, { items: ["apple", "banana"] }],
    );
    // a block that does not parse is dropped, the text after it kept; an unfinished block is dropped
    assert.deepEqual(parse("olmo3", "<function_calls>not a call</function_calls>After.", init), {
      content: "After.",
      thinking: "",
      calls: [],
    });
    assert.deepEqual(parse("olmo3", 'Hi.<function_calls>get_weather(location="Pa', init).content, "Hi.");
  });
});

void describe("GLM with thinking off, and glm-ocr", () => {
  void it("output that opens <think> itself still thinks, as Ollama's GLM parser looks for it", () => {
    assert.deepEqual(parse("glm-4.7", "<think>reason</think>Answer", { think: false }), {
      thinking: "reason",
      content: "Answer",
      calls: [],
    });
    assert.deepEqual(parse("glm-4.7", "Answer at once.", { think: false }), {
      thinking: "",
      content: "Answer at once.",
      calls: [],
    });
    assert.deepEqual(parserCapabilities("glm-ocr"), { tools: true, thinking: false });
    assert.deepEqual(parse("glm-ocr", "Text read from the page."), {
      thinking: "",
      content: "Text read from the page.",
      calls: [],
    });
  });
});

void describe("cohere", () => {
  void it("Ollama's vectors: thinking, then a text block or an action list; bare text is content", () => {
    assert.deepEqual(
      parse("cohere", "Let me think about this.<|END_THINKING|><|START_TEXT|>Hello world!<|END_TEXT|>"),
      {
        thinking: "Let me think about this.",
        content: "Hello world!",
        calls: [],
      },
    );
    const action = parse(
      "cohere",
      'plan<|END_THINKING|><|START_ACTION|>[\n    {"tool_call_id": "0", "tool_name": "get_weather", "parameters": {"city": "Paris"}},    {"tool_call_id": "1", "tool_name": "get_time", "parameters": {}}\n]<|END_ACTION|>',
    );
    assert.deepEqual(action, {
      thinking: "plan",
      content: "",
      calls: [
        { index: 0, name: "get_weather", arguments: { city: "Paris" } },
        { index: 1, name: "get_time", arguments: {} },
      ],
    });
    assert.deepEqual(parse("cohere", "<|START_TEXT|>direct answer<|END_TEXT|>", { think: false }), {
      thinking: "",
      content: "direct answer",
      calls: [],
    });
    assert.deepEqual(parse("cohere", "thought<|END_THINKING|>Just plain text output"), {
      thinking: "thought",
      content: "Just plain text output",
      calls: [],
    });
    // a list missing a comma: each object that parses still counts
    const sloppy = parse(
      "cohere",
      '<|START_ACTION|>[{"tool_call_id": "0", "tool_name": "a", "parameters": {}} {"tool_call_id": "1", "tool_name": "b", "parameters": {"x": 1}}]<|END_ACTION|>',
      { think: false },
    );
    assert.deepEqual(
      sloppy.calls.map((c) => c.name),
      ["a", "b"],
    );
  });
});

void describe("functiongemma", () => {
  void it("Ollama's vectors: call:name{key:value} calls with typed bare values and <escape> strings", () => {
    const call = (body: string) => `<start_function_call>call:${body}<end_function_call>`;
    const got = parse(
      "functiongemma",
      `Let me check.${call("get_weather{city:<escape>Paris<escape>}")}${call("add{a:1,b:2}")}${call(
        "update{data:{name:<escape>test, with comma<escape>,value:42},items:[a,b,c],on:true,t:3.14}",
      )}${call("get_time{}")}Done!`,
    );
    assert.equal(got.content, "Let me check.Done!");
    assert.deepEqual(got.calls, [
      { index: 0, name: "get_weather", arguments: { city: "Paris" } },
      { index: 1, name: "add", arguments: { a: 1, b: 2 } },
      {
        index: 2,
        name: "update",
        arguments: {
          data: { name: "test, with comma", value: 42 },
          items: ["a", "b", "c"],
          on: true,
          t: 3.14,
        },
      },
      { index: 3, name: "get_time", arguments: {} },
    ]);
    // a half-written open tag that never completes is content
    assert.equal(parse("functiongemma", "Hello <start world").content, "Hello <start world");
    assert.deepEqual(parserCapabilities("functiongemma"), { tools: true, thinking: false });
  });
});

void describe("lfm2", () => {
  const init = {
    tools: ["get_weather", "process_data"].map((name): ToolLike => ({ function: { name } })),
  };
  void it("Ollama's vectors: <think> only when the output opens it; pythonic call lists between tags", () => {
    assert.deepEqual(
      parse("lfm2-thinking", "<think>I need to think about this...</think>The answer is 42.", init),
      {
        thinking: "I need to think about this...",
        content: "The answer is 42.",
        calls: [],
      },
    );
    assert.deepEqual(parse("lfm2-thinking", "The answer is 42.", init), {
      thinking: "",
      content: "The answer is 42.",
      calls: [],
    });
    const both = parse(
      "lfm2",
      'Getting weather for both cities.<|tool_call_start|>[get_weather(location="Paris")]<|tool_call_end|><|tool_call_start|>[get_weather(location="London")]<|tool_call_end|>',
      init,
    );
    assert.equal(both.content, "Getting weather for both cities.");
    assert.deepEqual(
      both.calls.map((c) => [c.index, c.name, c.arguments]),
      [
        [0, "get_weather", { location: "Paris" }],
        [1, "get_weather", { location: "London" }],
      ],
    );
    const literals = parse(
      "lfm2",
      "Processing data.<|tool_call_start|>[process_data(items=['item1','item2'], config={'enabled': True, 'threshold': 0.95})]<|tool_call_end|>",
      init,
    );
    assert.deepEqual(literals.calls[0]?.arguments, {
      items: ["item1", "item2"],
      config: { enabled: true, threshold: 0.95 },
    });
    assert.deepEqual(parserCapabilities("lfm2"), { tools: true, thinking: false });
    assert.deepEqual(parserCapabilities("lfm2-thinking"), { tools: true, thinking: true });
  });
});

void describe("gemma4", () => {
  const on = { think: true };
  void it("Ollama's vectors: thought channels, calls in Gemma 4's argument syntax, noise after a call", () => {
    assert.deepEqual(
      parse("gemma4", "<|channel>thought\nLet me think about this...<channel|>The answer is 42.", on),
      {
        thinking: "Let me think about this...",
        content: "The answer is 42.",
        calls: [],
      },
    );
    assert.deepEqual(
      parse("gemma4", "<|channel>first thought<channel|><|channel>second thought<channel|>Final answer.", on),
      { thinking: "first thoughtsecond thought", content: "Final answer.", calls: [] },
    );
    // thinking not asked for: the channel is dropped, not shown
    assert.deepEqual(parse("gemma4", "<|channel>thought\nhmm<channel|>Hi.", { think: false }), {
      thinking: "",
      content: "Hi.",
      calls: [],
    });
    const args = (body: string) =>
      parse("gemma4", `<|tool_call>call:${body}<tool_call|>`, on).calls[0]?.arguments;
    assert.deepEqual(args('get_weather{location:<|"|>Paris<|"|>,units:<|"|>metric<|"|>}'), {
      location: "Paris",
      units: "metric",
    });
    assert.deepEqual(args("set_optional{value:null,nested:{value:null}}"), {
      value: null,
      nested: { value: null },
    });
    assert.deepEqual(args('process{config:{enabled:true,name:<|"|>test<|"|>},n:42}'), {
      config: { enabled: true, name: "test" },
      n: 42,
    });
    assert.deepEqual(args('search{query:<|"|>say "hello", then "goodbye"<|"|>}'), {
      query: 'say "hello", then "goodbye"',
    });
    assert.deepEqual(args('plan{steps:[{title:<|"|>step "one"<|"|>,done:false}],q:"raw \\"quoted\\""}'), {
      steps: [{ title: 'step "one"', done: false }],
      q: 'raw "quoted"',
    });
    // repeated close tags and a tool-response marker after a call are dropped; an unclosed call at
    // the end of output is read as far as it goes
    const noisy = parse(
      "gemma4",
      'Checking.<|tool_call>call:get_weather{location:<|"|>Paris<|"|>}<tool_call|><tool_call|>\n<|tool_response>',
      on,
    );
    assert.deepEqual(noisy.content, "Checking.");
    assert.equal(noisy.calls.length, 1);
    assert.equal(parse("gemma4", '<|tool_call>call:search{query:<|"|>x<|"|>}', on).calls.length, 1);
    assert.deepEqual(parserCapabilities("gemma4"), { tools: true, thinking: true });
    assert.deepEqual(parserCapabilities("gemma4-no-thinking"), { tools: true, thinking: false });
  });

  void it("after a tool result it goes on thinking without a channel", () => {
    const after = parse("gemma4", "The files are listed.<channel|>Done.", {
      think: true,
      lastMessage: { role: "tool", content: "go.mod" },
    });
    assert.deepEqual(after, { thinking: "The files are listed.", content: "Done.", calls: [] });
  });
});
