// The Anthropic Messages API, driven by the official `@anthropic-ai/sdk` as a black box, plus raw
// checks of the event stream. The tiny model writes gibberish: shapes are asserted, not text.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { addModel, chatmlTemplate, startServer, toolTemplate, type TestServer } from "./helpers/server.js";

const weatherTool: Anthropic.Tool = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: {
    type: "object",
    properties: { city: { type: "string", enum: ["Paris", "Oslo"] }, metric: { type: "boolean" } },
    required: ["city", "metric"],
  },
};

let server: TestServer;
let client: Anthropic;
const base = { temperature: 0 } as const;

before(async () => {
  server = await startServer();
  client = new Anthropic({ baseURL: server.url, apiKey: "unused", maxRetries: 0 });
  await addModel(server, "tiny", { template: chatmlTemplate, params: { seed: 1 } });
  await addModel(server, "tools", { template: toolTemplate, params: { seed: 1 } });
});
after(() => server.close());

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
}

describe("/v1/messages", () => {
  test("a message object with content blocks, stop_reason and usage", async () => {
    const m = await client.messages.create({
      model: "tiny",
      max_tokens: 6,
      system: "be brief",
      messages: [{ role: "user", content: "hello" }],
      ...base,
    });
    assert.match(m.id, /^msg_[0-9a-f]{24}$/);
    assert.equal(m.type, "message");
    assert.equal(m.role, "assistant");
    assert.equal(m.model, "tiny");
    assert.ok(Array.isArray(m.content));
    for (const b of m.content) assert.equal(b.type, "text");
    assert.ok(m.stop_reason === "end_turn" || m.stop_reason === "max_tokens");
    assert.equal(m.stop_sequence, null);
    assert.ok(m.usage.input_tokens > 0);
    assert.ok(m.usage.output_tokens > 0 && m.usage.output_tokens <= 6);
  });

  test("max_tokens ends with stop_reason max_tokens; system blocks and top_k are accepted", async () => {
    // top_k / top_p are gone from this SDK's types but still part of the API.
    const params = {
      model: "tiny",
      max_tokens: 2,
      system: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
      top_k: 5,
      top_p: 0.9,
      messages: [{ role: "user", content: [{ type: "text", text: "x" }] }],
      ...base,
    } as Anthropic.MessageCreateParamsNonStreaming;
    const m = await client.messages.create(params);
    assert.equal(m.stop_reason, "max_tokens");
    assert.equal(m.usage.output_tokens, 2);
  });

  test("stop_sequences cut the answer", async () => {
    const req = {
      model: "tiny",
      max_tokens: 12,
      messages: [{ role: "user" as const, content: "count" }],
      ...base,
    };
    const full = (await client.messages.create(req)).content
      .map((b) => (b.type === "text" ? b.text : ""))
      .join("");
    const chars = [...full];
    assert.ok(chars.length >= 4);
    const stop = chars.slice(2, 4).join("");
    const m = await client.messages.create({ ...req, stop_sequences: [stop] });
    const text = m.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    assert.equal(text, full.slice(0, full.indexOf(stop)));
    assert.equal(m.stop_reason, "stop_sequence");
    assert.equal(m.stop_sequence, stop);
  });

  test("streaming through the SDK accumulates the same message", async () => {
    const req = {
      model: "tiny",
      max_tokens: 5,
      messages: [{ role: "user" as const, content: "hi" }],
      ...base,
    };
    const stream = client.messages.stream(req);
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    const whole = await client.messages.create(req);
    assert.deepEqual(final.content, whole.content);
    assert.equal(final.stop_reason, "max_tokens");
    assert.equal(final.usage.output_tokens, 5);
    assert.equal(types[0], "message_start");
    assert.deepEqual(types.slice(-2), ["message_delta", "message_stop"]);
  });

  test("SSE framing byte for byte: event lines, data lines, Anthropic's event order", async () => {
    const res = await post("/v1/messages", {
      model: "tiny",
      max_tokens: 3,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
      ...base,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const raw = await res.text();
    assert.match(raw, /^(event: [a-z_]+\ndata: \{[^\n]+\}\n\n)+$/);
    const events = raw
      .split("\n\n")
      .filter(Boolean)
      .map((e) => {
        const [ev, data] = e.split("\n");
        const json = JSON.parse(data!.slice("data: ".length)) as { type: string } & Record<string, unknown>;
        assert.equal(ev, `event: ${json.type}`);
        return json;
      });
    const names = events.map((e) => e.type);
    assert.deepEqual(names.slice(0, 3), ["message_start", "ping", "content_block_start"]);
    assert.deepEqual(names.slice(-3), ["content_block_stop", "message_delta", "message_stop"]);
    assert.ok(names.slice(3, -3).every((n) => n === "content_block_delta"));
    assert.deepEqual(events[2], {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    assert.equal((events[3]!.delta as { type: string }).type, "text_delta");
    const delta = events.at(-2)! as unknown as {
      delta: { stop_reason: string };
      usage: { output_tokens: number };
    };
    assert.equal(delta.delta.stop_reason, "max_tokens");
    assert.equal(delta.usage.output_tokens, 3);
    assert.ok(raw.includes('event: ping\ndata: {"type":"ping"}\n\n'));
    assert.ok(raw.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
  });

  test("tool_choice any forces a tool_use block; tool_result round-trips", async () => {
    const m = await client.messages.create({
      model: "tools",
      max_tokens: 300,
      tools: [weatherTool],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "weather in Paris?" }],
      ...base,
    });
    assert.equal(m.stop_reason, "tool_use");
    const use = m.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    assert.ok(use);
    assert.equal(use.name, "get_weather");
    const input = use.input as { city: string; metric: boolean };
    assert.ok(["Paris", "Oslo"].includes(input.city));
    assert.equal(typeof input.metric, "boolean");

    const next = await client.messages.create({
      model: "tools",
      max_tokens: 4,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: m.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "21C" }] },
      ],
      ...base,
    });
    assert.equal(next.type, "message");
  });

  test("a typed client tool (bash) reaches the model as a function; server-run web_search does not", async () => {
    const m = await client.messages.create({
      model: "tools",
      max_tokens: 300,
      tools: [{ type: "bash_20250124", name: "bash" }],
      tool_choice: { type: "tool", name: "bash" },
      messages: [{ role: "user", content: "list the files" }],
      ...base,
    });
    assert.equal(m.stop_reason, "tool_use");
    const use = m.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    assert.equal(use?.name, "bash");
    await assert.rejects(
      client.messages.create({
        model: "tools",
        max_tokens: 8,
        tools: [{ type: "web_search_20250305", name: "web_search" }],
        tool_choice: { type: "tool", name: "web_search" },
        messages: [{ role: "user", content: "news?" }],
        ...base,
      }),
      Anthropic.BadRequestError,
    );
  });

  test("a streamed tool call arrives as tool_use with input_json_delta", async () => {
    const stream = client.messages.stream({
      model: "tools",
      max_tokens: 300,
      tools: [weatherTool],
      tool_choice: { type: "tool", name: "get_weather" },
      messages: [{ role: "user", content: "weather?" }],
      ...base,
    });
    const deltas: string[] = [];
    stream.on("streamEvent", (e) => {
      if (e.type === "content_block_delta") deltas.push(e.delta.type);
    });
    const final = await stream.finalMessage();
    assert.ok(deltas.includes("input_json_delta"));
    assert.equal(final.stop_reason, "tool_use");
    const use = final.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
    assert.equal(use.name, "get_weather");
    assert.match(use.id, /^call_/);
    assert.ok(["Paris", "Oslo"].includes((use.input as { city: string }).city));
  });

  test("thinking on a model that cannot think is ignored, not an error", async () => {
    const m = await client.messages.create({
      model: "tiny",
      max_tokens: 2,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(m.type, "message");
  });

  test("errors arrive as the SDK's typed errors with Anthropic's body", async () => {
    await assert.rejects(
      client.messages.create({ model: "missing", max_tokens: 2, messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.NotFoundError);
        assert.equal(e.status, 404);
        const { request_id, ...rest } = e.error as { request_id: string };
        assert.match(request_id, /^req_[0-9a-f]{24}$/);
        assert.deepEqual(rest, {
          type: "error",
          error: { type: "not_found_error", message: "model 'missing' not found" },
        });
        return true;
      },
    );
    await assert.rejects(
      client.messages.create({ model: "tiny", max_tokens: 0, messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof Anthropic.BadRequestError && /max_tokens is required/.test(e.message),
    );
    const wrongType = await post("/v1/messages", { model: "tiny", max_tokens: "5", messages: [] });
    assert.equal(wrongType.status, 400);
    assert.equal(
      ((await wrongType.json()) as { error: { message: string } }).error.message,
      "json: cannot unmarshal string into Go struct field MessagesRequest.max_tokens of type int",
    );
    const res = await post("/v1/messages", { model: "tiny", max_tokens: 5, messages: [] });
    assert.equal(res.status, 400);
    const { request_id: _id, ...body } = (await res.json()) as { request_id: string };
    assert.deepEqual(body, {
      type: "error",
      error: { type: "invalid_request_error", message: "messages is required" },
    });
    const s404 = await post("/v1/messages", {
      model: "missing",
      max_tokens: 5,
      stream: true,
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(s404.status, 404);
    const noTools = await post("/v1/messages", {
      model: "tiny",
      max_tokens: 5,
      stream: true,
      tools: [weatherTool],
      messages: [{ role: "user", content: "x" }],
    });
    assert.equal(noTools.status, 400);
    assert.match(
      ((await noTools.json()) as { error: { message: string } }).error.message,
      /does not support tools/,
    );
  });
});

describe("/v1/messages/count_tokens", () => {
  test("counts the rendered prompt with the model's tokenizer", async () => {
    const short = await client.messages.countTokens({
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
    });
    const long = await client.messages.countTokens({
      model: "tiny",
      system: "you are a helpful assistant",
      messages: [{ role: "user", content: "hi there, how are you doing today?" }],
    });
    assert.ok(Number.isInteger(short.input_tokens) && short.input_tokens > 0);
    assert.ok(long.input_tokens > short.input_tokens);
    // The same prompt, evaluated: prompt_eval_count matches the count.
    const m = await client.messages.create({
      model: "tiny",
      max_tokens: 1,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(m.usage.input_tokens, short.input_tokens);
    await assert.rejects(
      client.messages.countTokens({ model: "missing", messages: [{ role: "user", content: "x" }] }),
      Anthropic.NotFoundError,
    );
  });
});
