import { test } from "node:test";
import assert from "node:assert/strict";
import { parseModelfile } from "./parser.js";
import { collectCreateFields, normalizeRequires } from "./request.js";

const fields = (text: string, warn?: (m: string) => void) => collectCreateFields(parseModelfile(text), warn);

void test("collects fields like Ollama's CreateRequest", () => {
  assert.deepEqual(fields("FROM test"), { from: ["test"], adapters: [], drafts: [] });
  assert.deepEqual(
    fields(`FROM test
PARAMETER temperature 0.5
PARAMETER top_k 1
SYSTEM You are a bot.
LICENSE license1
LICENSE license2
MESSAGE user Hello there!
MESSAGE assistant Hi! How are you?
`),
    {
      from: ["test"],
      adapters: [],
      drafts: [],
      system: "You are a bot.",
      license: ["license1", "license2"],
      parameters: { temperature: 0.5, top_k: 1 },
      messages: [
        { role: "user", content: "Hello there!" },
        { role: "assistant", content: "Hi! How are you?" },
      ],
    },
  );
});

void test("multiple stop parameters accumulate", () => {
  const f = fields('FROM x\nPARAMETER stop <|a|>\nPARAMETER stop "b c "\nPARAMETER num_ctx 8192');
  assert.deepEqual(f.parameters, { stop: ["<|a|>", "b c "], num_ctx: 8192 });
});

void test("deprecated parameters warn and are dropped", () => {
  const warnings: string[] = [];
  const f = fields("FROM x\nPARAMETER mirostat 1\nPARAMETER penalize_newline true", (m) => warnings.push(m));
  assert.equal(f.parameters, undefined);
  assert.deepEqual(warnings, [
    "warning: parameter mirostat is deprecated",
    "warning: parameter penalize_newline is deprecated",
  ]);
});

void test("bad parameter values fail", () => {
  assert.throws(() => fields("FROM x\nPARAMETER num_ctx big"), /^ParameterError: invalid int value \[big\]$/);
});

void test("template, renderer, parser, adapters, requires", () => {
  const f = fields(
    "FROM ./m.gguf\nFROM ./proj.gguf\nADAPTER ./lora.gguf\nTEMPLATE {{ .Prompt }}\nRENDERER r\nPARSER p\nREQUIRES v0.14.0",
  );
  assert.deepEqual(f, {
    from: ["./m.gguf", "./proj.gguf"],
    adapters: ["./lora.gguf"],
    drafts: [],
    template: "{{ .Prompt }}",
    renderer: "r",
    parser: "p",
    requires: "0.14.0",
  });
});

void test("requires must be semver", () => {
  assert.equal(normalizeRequires("0.14"), "0.14");
  assert.equal(normalizeRequires("1.2.3-rc1"), "1.2.3-rc1");
  assert.throws(() => normalizeRequires("latest"), /requires must be a valid semver \(e\.g\. 0\.14\.0\)/);
  assert.throws(() => normalizeRequires("1.2-rc1"), /valid semver/);
});
