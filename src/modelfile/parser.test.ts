import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseModelfile,
  decodeModelfile,
  ModelfileError,
  ERR_INVALID_COMMAND,
  type Command,
} from "./parser.js";

const cmds = (text: string): Command[] => parseModelfile(text).commands;

function throwsWith(text: string, message: string | RegExp): void {
  assert.throws(
    () => parseModelfile(text),
    (e: unknown) => {
      assert.ok(e instanceof ModelfileError);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

const LLAMA3 =
  "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}" +
  "{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>{{ end }}" +
  "<|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>";

void test("parses every instruction of a typical Modelfile", () => {
  const text = `
FROM model1
ADAPTER adapter1
LICENSE MIT
PARAMETER param1 value1
PARAMETER param2 value2
TEMPLATE """${LLAMA3}"""    
`;
  assert.deepEqual(cmds(text), [
    { name: "model", args: "model1" },
    { name: "adapter", args: "adapter1" },
    { name: "license", args: "MIT" },
    { name: "param1", args: "value1" },
    { name: "param2", args: "value2" },
    { name: "template", args: LLAMA3 },
  ]);
});

void test("trims unquoted values and keeps spaces inside quotes", () => {
  const text = `
FROM "     model 1"
ADAPTER      adapter3
LICENSE "MIT       "
PARAMETER param1        value1
TEMPLATE """   hi   """    
`;
  assert.deepEqual(cmds(text), [
    { name: "model", args: "     model 1" },
    { name: "adapter", args: "adapter3" },
    { name: "license", args: "MIT       " },
    { name: "param1", args: "value1" },
    { name: "template", args: "   hi   " },
  ]);
});

void test("FROM variants", () => {
  const cases: [string, Command[]][] = [
    ['FROM "FOO  BAR  "', [{ name: "model", args: "FOO  BAR  " }]],
    [
      'FROM "FOO BAR"\nPARAMETER param1 value1',
      [
        { name: "model", args: "FOO BAR" },
        { name: "param1", args: "value1" },
      ],
    ],
    ["FROM     FOOO BAR    ", [{ name: "model", args: "FOOO BAR" }]],
    ["FROM /what/is/the path ", [{ name: "model", args: "/what/is/the path" }]],
    ["FROM llama3:7b-instruct-q4_K_M", [{ name: "model", args: "llama3:7b-instruct-q4_K_M" }]],
    [
      "PARAMETER param1 value1\nFROM foo",
      [
        { name: "param1", args: "value1" },
        { name: "model", args: "foo" },
      ],
    ],
    [
      "PARAMETER what the \nFROM lemons make lemonade ",
      [
        { name: "what", args: "the" },
        { name: "model", args: "lemons make lemonade" },
      ],
    ],
  ];
  for (const [text, want] of cases) assert.deepEqual(cmds(text), want, text);
});

void test("instructions are case-insensitive", () => {
  assert.deepEqual(cmds("from foo\nSyStEm hi\nparameter top_k 1"), [
    { name: "model", args: "foo" },
    { name: "system", args: "hi" },
    { name: "top_k", args: "1" },
  ]);
});

void test("missing FROM", () => {
  throwsWith("", "no FROM line");
  throwsWith("PARAMETER param1 value1", "no FROM line");
  throwsWith("# only a comment\n", "no FROM line");
});

void test("parameter without a value is an unexpected EOF", () => {
  throwsWith("\nFROM foo\nPARAMETER param1\n", "(line 3): unexpected EOF: param1");
  throwsWith("FROM foo\nPARAMETER param1", "(line 2): unexpected EOF");
});

void test("unknown instruction reports Ollama's message with the line", () => {
  throwsWith("\nFROM foo\nBADCOMMAND param1 value1\n", `(line 3): ${ERR_INVALID_COMMAND}`);
  assert.equal(
    ERR_INVALID_COMMAND,
    'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"',
  );
  throwsWith("FROM: foo", `(line 1): ${ERR_INVALID_COMMAND}`);
  throwsWith("FROM foo\nSYSTEM\nhi", `(line 2): ${ERR_INVALID_COMMAND}`);
});

void test("newer instructions: DRAFT, RENDERER, PARSER, REQUIRES", () => {
  assert.deepEqual(cmds("FROM base\nDRAFT ./assistant\nRENDERER r1\nPARSER p1\nREQUIRES 0.12.0"), [
    { name: "model", args: "base" },
    { name: "draft", args: "./assistant" },
    { name: "renderer", args: "r1" },
    { name: "parser", args: "p1" },
    { name: "requires", args: "0.12.0" },
  ]);
});

void test("messages", () => {
  assert.deepEqual(cmds("\nFROM foo\nMESSAGE system You are a file parser. Always parse things.\n"), [
    { name: "model", args: "foo" },
    { name: "message", args: "system: You are a file parser. Always parse things." },
  ]);
  assert.deepEqual(cmds("FROM foo\nMESSAGE user Hey there!\nMESSAGE assistant Hello!"), [
    { name: "model", args: "foo" },
    { name: "message", args: "user: Hey there!" },
    { name: "message", args: "assistant: Hello!" },
  ]);
  assert.deepEqual(cmds('\nFROM foo\nMESSAGE system """\nYou are a multiline file parser.\n"""\n\t\t\t'), [
    { name: "model", args: "foo" },
    { name: "message", args: "system: \nYou are a multiline file parser.\n" },
  ]);
});

void test("message errors", () => {
  throwsWith(
    "\nFROM foo\nMESSAGE badguy I'm a bad guy!\n",
    '(line 3): message role must be one of "system", "user", or "assistant"',
  );
  throwsWith("FROM foo\nMESSAGE system\n", "(line 2): unexpected EOF: system");
  throwsWith("FROM foo\nMESSAGE system", "(line 2): unexpected EOF");
  // Roles are case-sensitive in Ollama.
  throwsWith("FROM foo\nMESSAGE User hi", /message role must be one of/);
});

void test("quoted and multi-line strings", () => {
  const cases: [string, string][] = [
    ['SYSTEM """\nThis is a\nmultiline system.\n"""\n\t\t\t', "\nThis is a\nmultiline system.\n"],
    ['SYSTEM """\nThis is a\nmultiline system."""\n', "\nThis is a\nmultiline system."],
    ['SYSTEM """This is a\nmultiline system."""', "This is a\nmultiline system."],
    ['SYSTEM """This is a multiline system."""', "This is a multiline system."],
    [
      'SYSTEM """\nThis is a multiline system with "quotes".\n"""\n',
      '\nThis is a multiline system with "quotes".\n',
    ],
    ['SYSTEM """"""\n', ""],
    ['SYSTEM ""\n', ""],
    ['SYSTEM "\'"\n', "'"],
    ['SYSTEM """\'\'"\'""\'""\'"\'\'\'\'\'""\'""\'"""\n', `''"'""'""'"'''''""'""'`],
    ['SYSTEM "a single-quoted\nvalue may span lines"', "a single-quoted\nvalue may span lines"],
    ["SYSTEM tabs\tinside", "tabs\tinside"],
  ];
  for (const [body, want] of cases) {
    assert.deepEqual(
      cmds(`FROM foo\n${body}`),
      [
        { name: "model", args: "foo" },
        { name: "system", args: want },
      ],
      body,
    );
  }
});

void test("unterminated strings point at where they start", () => {
  throwsWith(
    '\nFROM foo\nSYSTEM """This is a multiline system.""\n\t\t\t',
    "(line 3): unexpected EOF: unterminated multi-line string",
  );
  throwsWith('FROM foo\nSYSTEM "\n', "(line 2): unexpected EOF: unterminated quoted string");
  throwsWith('FROM foo\nTEMPLATE """\n{{ .Prompt }}\n\nPARAMETER x y\n', /line 2.*unterminated multi-line/);
});

void test("text after a closing quote on the same line keeps the value open", () => {
  throwsWith('FROM foo\nSYSTEM "hi" there\n', /unexpected EOF/);
});

void test("parameter values", () => {
  const cases: [string, string, string][] = [
    ["num_ctx 1", "num_ctx", "1"],
    ["top_p 1.0", "top_p", "1.0"],
    ["use_mmap true", "use_mmap", "true"],
    ["stop ### User:", "stop", "### User:"],
    ["stop ### User: ", "stop", "### User:"],
    ['stop "### User:"', "stop", "### User:"],
    ['stop "### User: "', "stop", "### User: "],
    ['stop """### User:"""', "stop", "### User:"],
    ['stop """### User:\n"""', "stop", "### User:\n"],
    ["stop <|endoftext|>", "stop", "<|endoftext|>"],
    ["stop </s>", "stop", "</s>"],
    ["Temperature 1", "Temperature", "1"],
  ];
  for (const [line, name, args] of cases) {
    assert.deepEqual(
      cmds(`FROM foo\nPARAMETER ${line}\n`),
      [
        { name: "model", args: "foo" },
        { name, args },
      ],
      line,
    );
  }
});

void test("a parameter name may not contain other characters", () => {
  throwsWith("FROM foo\nPARAMETER top-k 1", "(line 2): unexpected EOF: top");
});

void test("comments", () => {
  assert.deepEqual(cmds("\n# comment\nFROM foo\n\t# indented comment\nSYSTEM a # not a comment\n"), [
    { name: "model", args: "foo" },
    { name: "system", args: "a # not a comment" },
  ]);
});

void test("CRLF line endings count as one line", () => {
  assert.deepEqual(cmds("FROM foo\r\nSYSTEM hi\r\n"), [
    { name: "model", args: "foo" },
    { name: "system", args: "hi" },
  ]);
  throwsWith("FROM foo\r\n\r\nBAD x\r\n", `(line 3): ${ERR_INVALID_COMMAND}`);
});

void test("multi-byte text and encodings", () => {
  const text = "FROM test\n\tSYSTEM 你好👋";
  const want = [
    { name: "model", args: "test" },
    { name: "system", args: "你好👋" },
  ];
  assert.deepEqual(cmds(text), want);
  const utf8 = new TextEncoder().encode(text);
  assert.deepEqual(parseModelfile(decodeModelfile(utf8)).commands, want);
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
  assert.deepEqual(parseModelfile(decodeModelfile(withBom)).commands, want);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  assert.deepEqual(parseModelfile(decodeModelfile(le)).commands, want);
  const be = Buffer.from(le);
  be.swap16();
  assert.deepEqual(parseModelfile(decodeModelfile(be)).commands, want);
});

void test("non-printable characters are dropped from values", () => {
  assert.deepEqual(cmds("FROM foo\nSYSTEM a\u200bb\x01c"), [
    { name: "model", args: "foo" },
    { name: "system", args: "abc" },
  ]);
});
