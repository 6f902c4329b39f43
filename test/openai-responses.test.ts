// /v1/responses (OpenAI's Responses API) driven by the official `openai` package as a black box:
// a real model for shapes, streaming, formats, tool_choice and errors; a scripted engine where
// the exact output matters (reasoning items, parsed tool calls).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  addModel,
  chatmlTemplate,
  qwenLikeTemplate,
  startServer,
  thinkTemplate,
  toolTemplate,
  type TestServer,
} from "./helpers/server.js";
import { createScriptedEngine, type ScriptedEngine } from "./helpers/scripted-engine.js";
import { zstdFrame } from "../src/api/zstd-frame.test-helper.js";

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Weather for a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string", enum: ["Paris", "Oslo"] } },
    required: ["city"],
  },
  strict: true,
};

let server: TestServer;
let client: OpenAI;
let scripted: TestServer;
let scriptedClient: OpenAI;
let engine: ScriptedEngine;

before(async () => {
  server = await startServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  await addModel(server, "tiny", { template: chatmlTemplate });
  await addModel(server, "tools", { template: toolTemplate });
  engine = createScriptedEngine();
  scripted = await startServer({}, engine);
  scriptedClient = new OpenAI({ baseURL: `${scripted.url}/v1`, apiKey: "unused", maxRetries: 0 });
  await addModel(scripted, "qwenish", { template: qwenLikeTemplate });
  await addModel(scripted, "thinker", { template: thinkTemplate });
});
after(async () => {
  await server.close();
  await scripted.close();
});

/** The message's text in a streamed response object (output_text is the SDK's, on whole ones). */
function messageText(r: OpenAI.Responses.Response | undefined): string | undefined {
  const message = r?.output.find((o) => o.type === "message");
  const part = message?.content[0];
  return part?.type === "output_text" ? part.text : undefined;
}

describe("/v1/responses with a real model", () => {
  test("a whole response has the Responses shape, echoes its request and counts usage", async () => {
    const r = await client.responses.create({
      model: "tiny",
      instructions: "be brief",
      input: "hello",
      max_output_tokens: 5,
      temperature: 0,
    });
    assert.match(r.id, /^resp_\d+$/);
    assert.equal(r.object, "response");
    assert.equal(r.status, "completed");
    assert.equal(r.model, "tiny");
    assert.equal(r.instructions, "be brief");
    assert.equal(r.max_output_tokens, 5);
    assert.equal(r.temperature, 0);
    assert.equal(typeof r.completed_at, "number");
    assert.equal(r.output.length, 1);
    const item = r.output[0]! as OpenAI.Responses.ResponseOutputMessage;
    assert.equal(item.type, "message");
    assert.match(item.id, /^msg_\d+$/);
    assert.equal(item.role, "assistant");
    assert.equal(item.content[0]!.type, "output_text");
    assert.equal(r.output_text, (item.content[0] as OpenAI.Responses.ResponseOutputText).text);
    assert.ok(r.output_text.length > 0);
    assert.equal(r.usage!.output_tokens, 5);
    assert.ok(r.usage!.input_tokens > 0);
    assert.equal(r.usage!.total_tokens, r.usage!.input_tokens + 5);
  });

  test("streaming: created, in_progress, the message's events in order, completed", async () => {
    const stream = await client.responses.create({
      model: "tiny",
      input: [{ role: "user", content: [{ type: "input_text", text: "hello" }] }],
      max_output_tokens: 6,
      temperature: 0,
      stream: true,
    });
    const types: string[] = [];
    let deltas = "";
    let seq = -1;
    let final: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      assert.equal(ev.sequence_number, seq + 1);
      seq = ev.sequence_number;
      types.push(ev.type);
      if (ev.type === "response.output_text.delta") deltas += ev.delta;
      if (ev.type === "response.completed") final = ev.response;
    }
    assert.deepEqual(types.slice(0, 4), [
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    assert.deepEqual(types.slice(-4), [
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    assert.ok(types.filter((t) => t === "response.output_text.delta").length > 0);
    assert.equal(final?.status, "completed");
    assert.equal(messageText(final), deltas);
    assert.equal(final?.usage?.output_tokens, 6);
  });

  test("a conversation replayed as items continues it; the SDK's stream helper finishes", async () => {
    const first = await client.responses.create({ model: "tiny", input: "hi", max_output_tokens: 3 });
    const stream = client.responses.stream({
      model: "tiny",
      input: [
        { role: "user", content: "hi" },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: "user", content: "and?" },
      ],
      max_output_tokens: 3,
    });
    const done = await stream.finalResponse();
    assert.equal(done.status, "completed");
    assert.equal(done.usage!.output_tokens, 3);
    assert.ok(done.usage!.input_tokens > first.usage!.input_tokens);
  });

  test("text.format json_schema: the answer validates", async () => {
    const schema = {
      type: "object",
      properties: { ok: { type: "boolean" } },
      required: ["ok"],
      additionalProperties: false,
    };
    const r = await client.responses.create({
      model: "tiny",
      input: "status?",
      text: { format: { type: "json_schema", name: "status", schema, strict: true } },
      max_output_tokens: 30,
    });
    assert.equal(typeof (JSON.parse(r.output_text) as { ok: unknown }).ok, "boolean");
    assert.deepEqual(r.text?.format, { type: "json_schema", name: "status", schema, strict: true });
  });

  test("tool_choice required: a function_call item that round-trips as input", async () => {
    const r = await client.responses.create({
      model: "tools",
      input: "weather in Paris?",
      tools: [weatherTool],
      tool_choice: "required",
      max_output_tokens: 200,
      temperature: 0,
    });
    assert.equal(r.output.length, 1);
    const call = r.output[0]! as OpenAI.Responses.ResponseFunctionToolCall;
    assert.equal(call.type, "function_call");
    assert.equal(call.name, "get_weather");
    assert.match(call.call_id, /^call_/);
    assert.ok(["Paris", "Oslo"].includes((JSON.parse(call.arguments) as { city: string }).city));
    assert.equal(r.tools[0]!.type, "function");
    assert.deepEqual(r.tool_choice, "required");

    const next = await client.responses.create({
      model: "tools",
      input: [
        { role: "user", content: "weather in Paris?" },
        call,
        { type: "function_call_output", call_id: call.call_id, output: '{"temp": 21}' },
      ],
      tools: [weatherTool],
      max_output_tokens: 4,
    });
    assert.equal(next.status, "completed");
  });

  test("a zstd-compressed body (as Codex sends) is decompressed, as in Ollama", async () => {
    const body = Buffer.from(JSON.stringify({ model: "tiny", input: "hi", max_output_tokens: 2 }));
    const post = (data: Buffer) =>
      fetch(`${server.url}/v1/responses`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Content-Encoding": "zstd" },
        body: data,
      });
    const res = await post(zstdFrame([{ raw: body }]));
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { object: string }).object, "response");
    const broken = await post(Buffer.from("not zstd"));
    assert.equal(broken.status, 400);
    const error = ((await broken.json()) as { error: { message: string; type: string } }).error;
    assert.deepEqual(
      [error.message, error.type],
      ["failed to decompress zstd body", "invalid_request_error"],
    );
  });

  test("errors are the SDK's typed errors with OpenAI's body", async () => {
    await assert.rejects(client.responses.create({ model: "missing", input: "x" }), OpenAI.NotFoundError);
    await assert.rejects(
      client.responses.create({ model: "tiny", input: [{ type: "bogus" }] as never }),
      (e: unknown) =>
        e instanceof OpenAI.BadRequestError &&
        /^input\[0\]: unknown input item type: "bogus"$/.test(e.message.replace(/^400 /, "")),
    );
    const res = await fetch(`${server.url}/v1/responses`, { method: "POST", body: "{" });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, "invalid_request_error");
  });
});

describe("/v1/responses with scripted output", () => {
  /** The scripted answer `text` to `body`, once whole and once streamed (every event). */
  async function wholeAndStreamed(text: string, body: OpenAI.Responses.ResponseCreateParamsNonStreaming) {
    engine.script(text);
    const whole = await scriptedClient.responses.create(body);
    engine.script(text);
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await scriptedClient.responses.create({ ...body, stream: true })) events.push(ev);
    const completed = events.at(-1);
    assert.equal(completed?.type, "response.completed");
    return { whole, events, final: completed.response };
  }

  /** [output_index, item type] of each response.output_item.done event. */
  const itemsDone = (events: OpenAI.Responses.ResponseStreamEvent[]) =>
    events.flatMap((e) => (e.type === "response.output_item.done" ? [[e.output_index, e.item.type]] : []));

  test("thinking is a reasoning item before the message, whole and streamed", async () => {
    const { whole, events, final } = await wholeAndStreamed("<think>Adding up.</think>Four.", {
      model: "thinker",
      input: "2+2?",
      reasoning: { effort: "high" },
    });
    assert.deepEqual(
      whole.output.map((o) => o.type),
      ["reasoning", "message"],
    );
    const reasoning = whole.output[0]! as OpenAI.Responses.ResponseReasoningItem;
    assert.deepEqual(reasoning.summary, [{ type: "summary_text", text: "Adding up." }]);
    assert.equal(whole.output_text, "Four.");
    assert.equal(whole.reasoning?.effort, "high");

    const summary = events
      .filter((e) => e.type === "response.reasoning_summary_text.delta")
      .map((e) => e.delta)
      .join("");
    assert.equal(summary, "Adding up.");
    assert.deepEqual(itemsDone(events), [
      [0, "reasoning"],
      [1, "message"],
    ]);
    assert.equal(messageText(final), "Four.");
  });

  test("text before a call is a message item ahead of the function_call, whole and streamed", async () => {
    const text =
      'Checking. <tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>';
    const { whole, events, final } = await wholeAndStreamed(text, {
      model: "qwenish",
      input: "weather?",
      tools: [weatherTool],
    });
    assert.deepEqual(
      whole.output.map((o) => o.type),
      ["message", "function_call"],
    );
    assert.equal(whole.output_text.trim(), "Checking.");
    assert.deepEqual(itemsDone(events), [
      [0, "message"],
      [1, "function_call"],
    ]);
    assert.deepEqual(
      final.output.map((o) => o.type),
      ["message", "function_call"],
    );
  });

  test("parsed tool calls are function_call items, streamed with their arguments", async () => {
    const text =
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call><tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
    const { whole, events, final } = await wholeAndStreamed(text, {
      model: "qwenish",
      input: "weather?",
      tools: [weatherTool],
    });
    const calls = whole.output as OpenAI.Responses.ResponseFunctionToolCall[];
    assert.deepEqual(
      calls.map((c) => [c.type, c.name, c.arguments, c.status]),
      [
        ["function_call", "get_weather", '{"city":"Oslo"}', "completed"],
        ["function_call", "get_weather", '{"city":"Paris"}', "completed"],
      ],
    );
    assert.notEqual(calls[0]!.call_id, calls[1]!.call_id);

    const args = events.flatMap((e) =>
      e.type === "response.function_call_arguments.done" ? [e.arguments] : [],
    );
    assert.deepEqual(args, ['{"city":"Oslo"}', '{"city":"Paris"}']);
    assert.equal(final.output.length, 2);
  });
});
