import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeChatRequest,
  decodeCopyRequest,
  decodeCreateRequest,
  decodeDeleteRequest,
  decodeEmbedRequest,
  decodeEmbeddingRequest,
  decodeGenerateRequest,
  decodePullRequest,
  decodePushRequest,
  decodeShowRequest,
  embedInputStrings,
} from "./requests.js";
import { WireError } from "./errors.js";

function fails(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WireError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.message, message);
    return true;
  });
}
const gen = (b: string) => () => decodeGenerateRequest(b);
const chat = (b: string) => () => decodeChatRequest(b);

void test("missing body and malformed JSON", () => {
  fails(gen(""), "missing request body");
  fails(gen("   "), "missing request body");
  fails(gen('{"model":'), "unexpected EOF");
  fails(gen('{"model" "x"}'), `invalid character '"' after object key`);
});

void test("a generate request decodes with Go zero values", () => {
  const r = decodeGenerateRequest(
    '{"model":"m","prompt":"hi","stream":false,"context":[1,2],"raw":true} trailing',
  );
  assert.equal(r.model, "m");
  assert.equal(r.prompt, "hi");
  assert.equal(r.stream, false);
  assert.deepEqual(r.context, [1, 2]);
  assert.equal(r.raw, true);
  assert.equal(r.suffix, "");
  assert.equal(r.keepAlive, undefined);
  assert.equal(r.think, undefined);
  assert.equal(r.topLogprobs, 0);
});

void test("top-level shapes other than objects", () => {
  fails(gen("[1]"), "json: cannot unmarshal array into Go value of type api.GenerateRequest");
  fails(gen('"x"'), "json: cannot unmarshal string into Go value of type api.GenerateRequest");
  fails(gen("12"), "json: cannot unmarshal number into Go value of type api.GenerateRequest");
  assert.equal(decodeGenerateRequest("null").model, "");
});

void test("type errors name the struct and JSON path", () => {
  fails(
    gen('{"prompt":1}'),
    "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string",
  );
  fails(
    gen('{"stream":"yes"}'),
    "json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool",
  );
  fails(
    gen('{"context":"x"}'),
    "json: cannot unmarshal string into Go struct field GenerateRequest.context of type []int",
  );
  fails(
    gen('{"context":[1.5]}'),
    "json: cannot unmarshal number 1.5 into Go struct field GenerateRequest.context of type int",
  );
  fails(
    gen('{"context":[1.0]}'),
    "json: cannot unmarshal number 1.0 into Go struct field GenerateRequest.context of type int",
  );
  fails(
    gen('{"top_logprobs":1e1}'),
    "json: cannot unmarshal number 1e1 into Go struct field GenerateRequest.top_logprobs of type int",
  );
  fails(
    gen('{"top_logprobs":99999999999999999999}'),
    "json: cannot unmarshal number 99999999999999999999 into Go struct field GenerateRequest.top_logprobs of type int",
  );
  fails(
    gen('{"options":[]}'),
    "json: cannot unmarshal array into Go struct field GenerateRequest.options of type map[string]interface {}",
  );
  fails(
    gen('{"options":{"x":1e999}}'),
    "json: cannot unmarshal number 1e999 into Go struct field GenerateRequest.options of type float64",
  );
  fails(
    gen('{"images":[5]}'),
    "json: cannot unmarshal number into Go struct field GenerateRequest.images of type api.ImageData",
  );
  fails(
    gen('{"raw":{}}'),
    "json: cannot unmarshal object into Go struct field GenerateRequest.raw of type bool",
  );
  fails(
    chat('{"messages":[{"role":"user","content":5}]}'),
    "json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string",
  );
  fails(
    chat('{"messages":["hi"]}'),
    "json: cannot unmarshal string into Go struct field ChatRequest.messages of type api.Alias",
  );
  fails(
    chat('{"messages":{}}'),
    "json: cannot unmarshal object into Go struct field ChatRequest.messages of type []api.Message",
  );
  fails(
    chat('{"messages":[{"tool_calls":[{"function":{"name":7}}]}]}'),
    "json: cannot unmarshal number into Go struct field ChatRequest.messages.tool_calls.function.name of type string",
  );
  fails(
    chat('{"tools":[{"function":{"name":7}}]}'),
    "json: cannot unmarshal number into Go struct field ToolFunction.tools.function.name of type string",
  );
  fails(
    chat('{"tools":[{"function":{"parameters":{"properties":{"a":{"description":1}}}}}]}'),
    "json: cannot unmarshal number into Go struct field ToolFunctionParameters.tools.function.parameters.properties.description of type string",
  );
  fails(
    chat('{"tools":[{"function":{"parameters":{"properties":{"a":{"type":5}}}}}]}'),
    "json: cannot unmarshal number into Go struct field ToolFunctionParameters.tools.function.parameters.properties.type of type []string",
  );
});

void test("the first saved type error wins, but an UnmarshalJSON error beats it", () => {
  fails(
    gen('{"prompt":1,"system":2}'),
    "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string",
  );
  fails(
    gen('{"prompt":1,"think":"x"}'),
    'invalid think value: "x" (must be "high", "medium", "low", "max", true, or false)',
  );
  fails(
    chat('{"model":1,"messages":[{"content":1}]}'),
    "json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string",
  );
  // after a saved error, later fields still decode (and are then discarded)
  fails(
    gen('{"prompt":1,"model":"m"}'),
    "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type string",
  );
});

void test("unknown fields are ignored; names match case-insensitively; null keeps zero values", () => {
  const r = decodeGenerateRequest(
    '{"MODEL":"m","Prompt":"p","whatever":[1,{"a":2}],"system":null,"stream":null}',
  );
  assert.equal(r.model, "m");
  assert.equal(r.prompt, "p");
  assert.equal(r.system, "");
  assert.equal(r.stream, undefined);
});

void test("duplicate keys: last wins, maps merge like Go", () => {
  const r = decodeGenerateRequest('{"model":"a","model":"b","options":{"x":1},"options":{"y":2}}');
  assert.equal(r.model, "b");
  assert.deepEqual({ ...r.options }, { x: 1, y: 2 });
});

void test("keep_alive forms", () => {
  const ka = (v: string) => decodeGenerateRequest(`{"keep_alive":${v}}`).keepAlive;
  assert.deepEqual(ka('"5m"'), { forever: false, ms: 300000 });
  assert.deepEqual(ka('"1h30m"'), { forever: false, ms: 5400000 });
  assert.deepEqual(ka('"300ms"'), { forever: false, ms: 300 });
  assert.deepEqual(ka('"0"'), { forever: false, ms: 0 });
  assert.deepEqual(ka("0"), { forever: false, ms: 0 });
  assert.deepEqual(ka("1.5"), { forever: false, ms: 1500 });
  assert.deepEqual(ka("-1"), { forever: true });
  assert.deepEqual(ka('"-1m"'), { forever: true });
  assert.equal(ka("null"), undefined);
  fails(gen('{"keep_alive":"-1"}'), 'time: missing unit in duration "-1"');
  fails(gen('{"keep_alive":"abc"}'), 'time: invalid duration "abc"');
  fails(gen('{"keep_alive":"5x"}'), 'time: unknown unit "x" in duration "5x"');
  fails(gen('{"keep_alive":true}'), "Unsupported type: 'bool'");
  fails(gen('{"keep_alive":[]}'), "Unsupported type: '[]interface {}'");
  fails(gen('{"keep_alive":{}}'), "Unsupported type: 'map[string]interface {}'");
});

void test("think forms", () => {
  const th = (v: string) => decodeChatRequest(`{"think":${v}}`).think;
  assert.equal(th("true"), true);
  assert.equal(th("false"), false);
  assert.equal(th('"high"'), "high");
  assert.equal(th('"medium"'), "medium");
  assert.equal(th('"low"'), "low");
  assert.equal(th('"max"'), "max");
  assert.equal(th("null"), undefined);
  fails(
    chat('{"think":"extreme"}'),
    'invalid think value: "extreme" (must be "high", "medium", "low", "max", true, or false)',
  );
  fails(
    chat('{"think":"\\n"}'),
    'invalid think value: "\\n" (must be "high", "medium", "low", "max", true, or false)',
  );
  fails(
    chat('{"think":1}'),
    'think must be a boolean or string ("high", "medium", "low", "max", true, or false)',
  );
  fails(
    chat('{"think":"true"}'),
    'invalid think value: "true" (must be "high", "medium", "low", "max", true, or false)',
  );
});

void test("format keeps the raw JSON", () => {
  assert.deepEqual(decodeGenerateRequest('{"format":"json"}').format, { raw: '"json"', value: "json" });
  assert.deepEqual(decodeGenerateRequest('{"format":""}').format, { raw: '""', value: "" });
  assert.deepEqual(decodeGenerateRequest('{"format":null}').format, { raw: "null", value: null });
  const schema = decodeGenerateRequest('{"format": {"type":"object", "properties":{"b":{},"a":{}}} }').format;
  assert.equal(schema?.raw, '{"type":"object", "properties":{"b":{},"a":{}}}');
  assert.equal(decodeGenerateRequest("{}").format, undefined);
});

void test("images are base64 with Go errors", () => {
  const r = decodeGenerateRequest('{"images":["aGVsbG8=","aGk=\\n"]}');
  assert.deepEqual(
    r.images?.map((b) => b.toString()),
    ["hello", "hi"],
  );
  fails(gen('{"images":["aGVsbG8"]}'), "illegal base64 data at input byte 4");
  fails(gen('{"images":["a$bc"]}'), "illegal base64 data at input byte 1");
  fails(gen('{"images":["aGk=x"]}'), "illegal base64 data at input byte 4");
  fails(gen('{"images":["a"]}'), "illegal base64 data at input byte 0");
  fails(gen('{"images":["aG=="]}'.replace("aG==", "a===")), "illegal base64 data at input byte 1");
  fails(chat('{"messages":[{"images":["!!!!"]}]}'), "illegal base64 data at input byte 0");
  assert.deepEqual(decodeGenerateRequest('{"images":[[104,105]]}').images?.[0]?.toString(), "hi");
});

void test("top_logprobs range", () => {
  fails(gen('{"top_logprobs":21}'), "top_logprobs must be between 0 and 20");
  fails(chat('{"top_logprobs":-1}'), "top_logprobs must be between 0 and 20");
  assert.equal(decodeChatRequest('{"logprobs":true,"top_logprobs":20}').topLogprobs, 20);
});

void test("chat messages: roles lower-cased, tool calls ordered", () => {
  const r = decodeChatRequest(
    '{"model":"m","messages":[{"role":"USER","content":"hi","images":["aGk="]},' +
      '{"role":"Assistant","thinking":"t","tool_calls":[{"id":"c1","function":{"index":0,"name":"f","arguments":{"z":1,"10":{"b":2,"a":1},"a":"x","z":3}}}]},' +
      '{"role":"tool","tool_name":"f","tool_call_id":"c1","content":"ok"}],"_debug_render_only":true,"truncate":false,"shift":true}',
  );
  const [u, a, t] = r.messages ?? [];
  assert.equal(u?.role, "user");
  assert.equal(u?.images?.[0]?.toString(), "hi");
  assert.equal(a?.role, "assistant");
  assert.equal(a?.thinking, "t");
  const args = a?.toolCalls?.[0]?.function.arguments;
  assert.deepEqual([...(args?.keys() ?? [])], ["z", "10", "a"]);
  assert.equal(args?.get("z"), 3);
  assert.equal(t?.toolName, "f");
  assert.equal(t?.toolCallId, "c1");
  assert.equal(r.debugRenderOnly, true);
  assert.equal(r.truncate, false);
  assert.equal(r.shift, true);
  fails(
    chat('{"messages":[{"tool_calls":[{"function":{"arguments":"{}"}}]}]}'),
    "Value looks like object, but can't find closing '}' symbol",
  );
});

void test("embed, embeddings and their input check", () => {
  const e = decodeEmbedRequest('{"model":"m","input":["a","b"],"truncate":true,"dimensions":8}');
  assert.deepEqual(e.input, ["a", "b"]);
  assert.equal(e.dimensions, 8);
  assert.deepEqual(embedInputStrings(e.input), ["a", "b"]);
  assert.deepEqual(embedInputStrings(""), []);
  assert.deepEqual(embedInputStrings(undefined), []);
  assert.throws(() => embedInputStrings([1]), { message: "invalid input type" });
  assert.throws(() => embedInputStrings(5), { message: "invalid input type" });
  fails(
    () => decodeEmbedRequest('{"dimensions":"8"}'),
    "json: cannot unmarshal string into Go struct field EmbedRequest.dimensions of type int",
  );
  assert.equal(decodeEmbeddingRequest('{"model":"m","prompt":"p"}').prompt, "p");
});

void test("create, copy, delete, show, pull, push", () => {
  const c = decodeCreateRequest(
    '{"model":"m","from":"base","files":{"a.gguf":"sha256:1"},"adapters":{},"license":["MIT","x"],"parameters":{"stop":["a"],"temperature":0.5},"messages":[{"role":"User","content":"c"}],"quantize":"q4_K_M","stream":false}',
  );
  assert.equal(c.from, "base");
  assert.deepEqual({ ...c.files }, { "a.gguf": "sha256:1" });
  assert.deepEqual(c.license, ["MIT", "x"]);
  assert.equal(c.messages?.[0]?.role, "user");
  assert.equal(c.quantize, "q4_K_M");
  fails(
    () => decodeCreateRequest('{"files":{"a":1}}'),
    "json: cannot unmarshal number into Go struct field CreateRequest.files of type string",
  );
  assert.deepEqual(decodeCopyRequest('{"source":"a","destination":"b"}'), { source: "a", destination: "b" });
  assert.equal(decodeDeleteRequest('{"name":"x"}').name, "x");
  const s = decodeShowRequest('{"model":"m","verbose":true,"options":{"num_ctx":5}}');
  assert.equal(s.verbose, true);
  assert.equal(s.options?.num_ctx, 5);
  assert.equal(decodePullRequest('{"model":"m","insecure":true,"stream":false}').insecure, true);
  fails(
    () => decodePushRequest('{"insecure":"yes"}'),
    "json: cannot unmarshal string into Go struct field PushRequest.insecure of type bool",
  );
});
