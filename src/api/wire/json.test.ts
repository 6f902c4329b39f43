import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeJson, JsonNumber, JsonObject } from "./json.js";

function err(body: string): string {
  const r = decodeJson(body);
  assert.equal(r.kind, "error", `expected an error for ${JSON.stringify(body)}`);
  return r.kind === "error" ? r.message : "";
}

void test('empty and whitespace bodies are "missing"', () => {
  assert.equal(decodeJson("").kind, "missing");
  assert.equal(decodeJson(" \n\t\r ").kind, "missing");
  assert.equal(decodeJson(Buffer.alloc(0)).kind, "missing");
});

void test("truncated bodies are unexpected EOF", () => {
  for (const b of [
    "{",
    '{"a"',
    '{"a":',
    '{"a":1',
    '{"a":1,',
    "[",
    "[1,",
    '"abc',
    '"a\\',
    '"\\u12',
    "tru",
    "nul",
    "-",
    "1.",
    "1e",
    "1e+",
    '{"a":[1,2',
  ]) {
    assert.equal(err(b), "unexpected EOF", b);
  }
});

void test("syntax errors word the offending character like Go", () => {
  const cases: Array<[string, string]> = [
    ["x", "invalid character 'x' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ["[1 2]", "invalid character '2' after array element"],
    ["{a:1}", "invalid character 'a' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"a\n"', "invalid character '\\n' in string literal"],
    ['"a\t"', "invalid character '\\t' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ["tx", "invalid character 'x' in literal true (expecting 'r')"],
    ["trx", "invalid character 'x' in literal true (expecting 'u')"],
    ["fals0", "invalid character '0' in literal false (expecting 'e')"],
    ["nul1", "invalid character '1' in literal null (expecting 'l')"],
    ["-a", "invalid character 'a' in numeric literal"],
    ["1.a", "invalid character 'a' after decimal point in numeric literal"],
    ["1ea", "invalid character 'a' in exponent of numeric literal"],
    ['{"a":01}', "invalid character '1' after object key:value pair"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['{"a":"b"\\', "invalid character '\\\\' after object key:value pair"],
    ['{"a":é}', "invalid character 'Ã' looking for beginning of value"],
    ["\u00a0{}", "invalid character 'Â' looking for beginning of value"],
    ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
    ['{"a":\u007f}', "invalid character '\\x7f' looking for beginning of value"],
    ['{"a":1}'.replace("1", "+1"), "invalid character '+' looking for beginning of value"],
  ];
  for (const [body, want] of cases) assert.equal(err(body), want, body);
});

void test("an error before the end beats EOF", () => {
  assert.equal(err('{"a":1 x'), "invalid character 'x' after object key:value pair");
});

void test("only the first value is read; trailing data is ignored", () => {
  const r = decodeJson('{"a":1} garbage {');
  assert.equal(r.kind, "value");
  assert.ok(r.kind === "value" && r.value instanceof JsonObject);
  const n = decodeJson("123abc");
  assert.ok(n.kind === "value" && n.value instanceof JsonNumber && n.value.text === "123");
  const t = decodeJson("truex");
  assert.ok(t.kind === "value" && t.value === true);
  const two = decodeJson("{}{}");
  assert.ok(two.kind === "value" && two.end === 2);
});

void test("keys keep order and duplicates, numbers keep their spelling", () => {
  const r = decodeJson('{"b":1,"10":2.0,"2":3e1,"b":4}');
  assert.ok(r.kind === "value" && r.value instanceof JsonObject);
  const obj = r.value;
  assert.deepEqual(
    obj.entries.map((e) => e.key),
    ["b", "10", "2", "b"],
  );
  assert.deepEqual(
    obj.entries.map((e) => (e.value as JsonNumber).text),
    ["1", "2.0", "3e1", "4"],
  );
  assert.equal(obj.raw(obj.entries[1]!), "2.0");
});

void test("strings unescape, and lone surrogates become U+FFFD as in Go", () => {
  const r = decodeJson('["a\\n\\u00e9\\/", "\\ud83d\\ude00", "\\ud83d", "\\udc00x", "plain"]');
  assert.ok(r.kind === "value");
  assert.deepEqual(r.value, ["a\né/", "😀", "\ufffd", "\ufffdx", "plain"]);
});

void test("nesting deeper than 10000 fails like Go", () => {
  assert.equal(err("[".repeat(10001)), "invalid character '[' exceeded max depth");
  const ok = decodeJson("[".repeat(10000) + "]".repeat(10000));
  assert.equal(ok.kind, "value");
});

void test("Buffer bodies decode as UTF-8", () => {
  const r = decodeJson(Buffer.from('{"k":"héllo"}'));
  assert.ok(r.kind === "value" && r.value instanceof JsonObject);
  assert.equal(r.value.entries[0]?.value, "héllo");
});

void test("large string bodies stay fast", () => {
  const big = "A".repeat(8 * 1024 * 1024);
  const body = `{"images":["${big}"]}`;
  const t0 = process.hrtime.bigint();
  const r = decodeJson(body);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(r.kind, "value");
  assert.ok(ms < 500, `took ${ms}ms`);
});
