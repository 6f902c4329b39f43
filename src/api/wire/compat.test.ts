import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bindJson,
  chatCompletionRequest,
  completionRequest,
  messagesRequest,
  opaqueStruct,
} from "./compat.js";
import { WireError } from "./errors.js";

function fails(shape: Parameters<typeof bindJson>[1], body: string, message: string): void {
  assert.throws(
    () => bindJson(Buffer.from(body), shape),
    (err: unknown) => err instanceof WireError && err.status === 400 && err.message === message,
    body,
  );
}

const field = (struct: string, path: string, value: string, type: string) =>
  `json: cannot unmarshal ${value} into Go struct field ${struct}.${path} of type ${type}`;

test("bindJson reads the first JSON value as gin does; null is an empty request", () => {
  assert.deepEqual(bindJson(Buffer.from('{"model":"m"} trailing'), chatCompletionRequest), { model: "m" });
  assert.deepEqual(bindJson(Buffer.from("null"), chatCompletionRequest), {});
  fails(chatCompletionRequest, "", "EOF");
  fails(chatCompletionRequest, '{"model":', "unexpected EOF");
  fails(
    chatCompletionRequest,
    '"hi"',
    "json: cannot unmarshal string into Go value of type openai.ChatCompletionRequest",
  );
  fails(
    opaqueStruct("openai.ResponsesRequest"),
    "[]",
    "json: cannot unmarshal array into Go value of type openai.ResponsesRequest",
  );
});

test("openai.ChatCompletionRequest's type errors, in Go's words", () => {
  const s = "ChatCompletionRequest";
  fails(chatCompletionRequest, '{"stream":"yes"}', field(s, "stream", "string", "bool"));
  fails(chatCompletionRequest, '{"max_tokens":"5"}', field(s, "max_tokens", "string", "int"));
  fails(chatCompletionRequest, '{"seed":1.5}', field(s, "seed", "number 1.5", "int"));
  fails(chatCompletionRequest, '{"model":5}', field(s, "model", "number", "string"));
  fails(chatCompletionRequest, '{"tools":"x"}', field(s, "tools", "string", "[]api.Tool"));
  fails(chatCompletionRequest, '{"messages":"hi"}', field(s, "messages", "string", "[]openai.Message"));
  fails(
    chatCompletionRequest,
    '{"response_format":"json"}',
    field(s, "response_format", "string", "openai.ResponseFormat"),
  );
  fails(
    chatCompletionRequest,
    '{"reasoning":{"effort":5}}',
    field("Reasoning", "reasoning.effort", "number", "string"),
  );
  fails(
    chatCompletionRequest,
    '{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{}}}]}]}',
    field("", "messages.tool_calls.function.arguments", "object", "string"),
  );
  // what Go accepts passes: content of any shape, stop of any type, an explicit null
  bindJson(
    Buffer.from('{"messages":[{"role":"user","content":[{"type":"text"}]}],"stop":1,"seed":null}'),
    chatCompletionRequest,
  );
});

test("openai.CompletionRequest's float32 fields and its prompt left to tollama", () => {
  const s = "CompletionRequest";
  fails(completionRequest, '{"temperature":"x"}', field(s, "temperature", "string", "float32"));
  fails(completionRequest, '{"top_p":1e39}', field(s, "top_p", "number 1e39", "float32"));
  assert.deepEqual(bindJson(Buffer.from('{"prompt":["one"]}'), completionRequest), { prompt: ["one"] });
});

test("anthropic.MessagesRequest's type errors, through MessageParam's own UnmarshalJSON", () => {
  const s = "MessagesRequest";
  fails(messagesRequest, '{"max_tokens":"5"}', field(s, "max_tokens", "string", "int"));
  fails(messagesRequest, '{"temperature":"x"}', field(s, "temperature", "string", "float64"));
  fails(messagesRequest, '{"stop_sequences":[5]}', field(s, "stop_sequences", "number", "string"));
  fails(messagesRequest, '{"tool_choice":"auto"}', field(s, "tool_choice", "string", "anthropic.ToolChoice"));
  fails(messagesRequest, '{"messages":[{"role":5}]}', field(s, "messages.role", "number", "string"));
  fails(
    messagesRequest,
    '{"messages":[{"role":"user","content":5}]}',
    field(s, "messages", "number", "[]anthropic.ContentBlock"),
  );
  fails(
    messagesRequest,
    '{"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}',
    field(s, "messages.text", "number", "string"),
  );
  bindJson(
    Buffer.from(
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null}],"system":[{"type":"text","text":"s"}]}',
    ),
    messagesRequest,
  );
});
