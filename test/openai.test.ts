// The OpenAI-compatible API, driven by the official `openai` package as a black box, plus raw
// HTTP checks of the SSE framing. The tiny model writes gibberish: shapes are asserted, not text.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { addModel, chatmlTemplate, startServer, toolTemplate, type TestServer } from "./helpers/server.js";

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", enum: ["Paris", "Oslo"] },
        metric: { type: "boolean" },
      },
      required: ["city", "metric"],
    },
  },
};
const timeTool: OpenAI.Chat.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_time",
    parameters: { type: "object", properties: { zone: { enum: ["UTC", "CET"] } }, required: ["zone"] },
  },
};

let server: TestServer;
let client: OpenAI;
const base = { temperature: 0, seed: 1 } as const;

before(async () => {
  server = await startServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  await addModel(server, "tiny", { template: chatmlTemplate });
  await addModel(server, "tools", { template: toolTemplate });
});
after(() => server.close());

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
}

describe("/v1/chat/completions", () => {
  test("a non-streaming completion has OpenAI's shape and usage", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello" },
      ],
      max_tokens: 6,
      ...base,
    });
    assert.match(r.id, /^chatcmpl-\d+$/);
    assert.equal(r.object, "chat.completion");
    assert.equal(r.model, "tiny");
    assert.equal(r.system_fingerprint, "fp_ollama");
    assert.equal(typeof r.created, "number");
    assert.equal(r.choices.length, 1);
    const c = r.choices[0]!;
    assert.equal(c.index, 0);
    assert.equal(c.message.role, "assistant");
    assert.equal(typeof c.message.content, "string");
    assert.ok(["stop", "length"].includes(c.finish_reason));
    assert.ok(r.usage!.prompt_tokens > 0);
    assert.ok(r.usage!.completion_tokens > 0 && r.usage!.completion_tokens <= 6);
    assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
  });

  test("max_tokens and max_completion_tokens end with finish_reason length", async () => {
    const a = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 2,
      ...base,
    });
    assert.equal(a.choices[0]!.finish_reason, "length");
    assert.equal(a.usage!.completion_tokens, 2);
    const b = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "x" }],
      max_completion_tokens: 3,
      ...base,
    });
    assert.equal(b.choices[0]!.finish_reason, "length");
    assert.equal(b.usage!.completion_tokens, 3);
  });

  test("an Ollama options object is merged (num_predict), keep_alive is accepted", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "x" }],
      ...base,
      // @ts-expect-error: Ollama extensions
      options: { num_predict: 1, num_ctx: 512 },
      keep_alive: "1m",
    });
    assert.equal(r.usage!.completion_tokens, 1);
    assert.equal(r.choices[0]!.finish_reason, "length");
  });

  test("stop ends the answer before the stop text, with finish_reason stop", async () => {
    const req = {
      model: "tiny",
      messages: [{ role: "user" as const, content: "count" }],
      max_tokens: 12,
      ...base,
    };
    const full = (await client.chat.completions.create(req)).choices[0]!.message.content!;
    const chars = [...full];
    assert.ok(chars.length >= 4, `need some text, got ${JSON.stringify(full)}`);
    const stop = chars.slice(2, 4).join("");
    const cut = full.indexOf(stop);
    const r = await client.chat.completions.create({ ...req, stop: [stop] });
    assert.equal(r.choices[0]!.message.content, full.slice(0, cut));
    assert.equal(r.choices[0]!.finish_reason, "stop");
    const one = await client.chat.completions.create({ ...req, stop });
    assert.equal(one.choices[0]!.message.content, full.slice(0, cut));
  });

  test("streaming: role first, content deltas, a finish chunk, a usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
      ...base,
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    assert.ok(chunks.length >= 3);
    const ids = new Set(chunks.map((c) => c.id));
    assert.equal(ids.size, 1);
    assert.match(chunks[0]!.id, /^chatcmpl-\d+$/);
    for (const c of chunks) {
      assert.equal(c.object, "chat.completion.chunk");
      assert.equal(c.system_fingerprint, "fp_ollama");
      assert.equal(c.created, chunks[0]!.created);
    }
    assert.equal(chunks[0]!.choices[0]!.delta.role, "assistant");
    const usage = chunks.at(-1)!;
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage!.completion_tokens, 5);
    const finish = chunks.at(-2)!;
    assert.equal(finish.choices[0]!.finish_reason, "length");
    assert.deepEqual(finish.choices[0]!.delta, {});
    for (const c of chunks.slice(0, -2)) assert.equal(c.choices[0]!.finish_reason, null);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const whole = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 5,
      ...base,
    });
    assert.equal(text, whole.choices[0]!.message.content);
  });

  test("SSE framing byte for byte: data lines, blank lines, [DONE]", async () => {
    const res = await post("/v1/chat/completions", {
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 3,
      stream: true,
      ...base,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const raw = await res.text();
    assert.ok(raw.endsWith("data: [DONE]\n\n"));
    assert.match(raw, /^(data: \{[^\n]+\}\n\n)+data: \[DONE\]\n\n$/);
    const events = raw.split("\n\n").filter(Boolean);
    const json = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice("data: ".length)) as Record<string, unknown>);
    // No usage chunk unless asked for; the finish chunk comes last.
    assert.ok(json.every((j) => !("usage" in j)));
    assert.equal(raw.split("\n\n").slice(-3, -2)[0]!.startsWith('data: {"id":"chatcmpl-'), true);
    assert.match(events.at(-2)!, /"choices":\[\{"index":0,"delta":\{\},"finish_reason":"length"\}\]\}$/);
    assert.match(events[0]!, /"delta":\{"role":"assistant","content":/);
  });

  test("response_format json_schema: the answer validates", async () => {
    const schema = {
      type: "object",
      properties: { ok: { type: "boolean" }, mood: { type: "string", enum: ["good", "bad"] } },
      required: ["ok", "mood"],
    };
    for (const seed of [1, 2, 3]) {
      const r = await client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "status?" }],
        response_format: { type: "json_schema", json_schema: { name: "status", schema } },
        max_tokens: 40,
        temperature: 1,
        seed,
      });
      const v = JSON.parse(r.choices[0]!.message.content!) as { ok: unknown; mood: unknown };
      assert.equal(typeof v.ok, "boolean");
      assert.ok(["good", "bad"].includes(v.mood as string));
    }
    const j = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "json" }],
      response_format: { type: "json_object" },
      max_tokens: 30,
      ...base,
    });
    assert.equal(
      j.choices[0]!.finish_reason === "stop" ? typeof JSON.parse(j.choices[0]!.message.content!) : "x",
      j.choices[0]!.finish_reason === "stop" ? "object" : "x",
    );
  });

  test("tool_choice required forces a tool call; the call round-trips", async () => {
    const r = await client.chat.completions.create({
      model: "tools",
      messages: [{ role: "user", content: "weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "required",
      max_tokens: 300,
      ...base,
    });
    const c = r.choices[0]!;
    assert.equal(c.finish_reason, "tool_calls");
    assert.equal(c.message.tool_calls!.length, 1);
    const call = c.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.type, "function");
    assert.match(call.id, /^call_/);
    assert.equal(call.function.name, "get_weather");
    const args = JSON.parse(call.function.arguments) as { city: string; metric: boolean };
    assert.ok(["Paris", "Oslo"].includes(args.city));
    assert.equal(typeof args.metric, "boolean");

    const next = await client.chat.completions.create({
      model: "tools",
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: '{"temp": 21}' },
      ],
      tools: [weatherTool],
      max_tokens: 4,
      ...base,
    });
    assert.equal(next.choices[0]!.message.role, "assistant");
  });

  test("tool_choice naming a function calls that one; streaming reports tool_calls", async () => {
    const stream = await client.chat.completions.create({
      model: "tools",
      messages: [{ role: "user", content: "time?" }],
      tools: [weatherTool, timeTool],
      tool_choice: { type: "function", function: { name: "get_time" } },
      max_tokens: 300,
      stream: true,
      ...base,
    });
    const calls: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const c of stream) {
      calls.push(...(c.choices[0]?.delta.tool_calls ?? []));
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, "tool_calls");
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.function!.name, "get_time");
    assert.ok(["UTC", "CET"].includes((JSON.parse(calls[0]!.function!.arguments!) as { zone: string }).zone));
  });

  test("text parts are joined with a blank line, as Ollama's templates merge its per-part messages", async () => {
    const tokens = async (content: OpenAI.Chat.ChatCompletionUserMessageParam["content"]) =>
      (
        await client.chat.completions.create({
          model: "tiny",
          messages: [{ role: "user", content }],
          max_tokens: 1,
        })
      ).usage!.prompt_tokens;
    const parts = ["x", "y", "z"].map((text) => ({ type: "text" as const, text }));
    assert.equal(await tokens(parts), await tokens("x\n\ny\n\nz"));
  });

  test("_debug_render_only answers the rendered prompt in _debug_info, as Ollama's /v1 does", async () => {
    const r = await post("/v1/chat/completions", {
      model: "tiny",
      messages: [{ role: "user", content: "hello" }],
      _debug_render_only: true,
    });
    assert.equal(r.status, 200);
    const body = (await r.json()) as {
      choices: Array<{ message: { role: string; content: string }; finish_reason: string | null }>;
      usage: { total_tokens: number };
      _debug_info: { rendered_template: string; image_count: number };
    };
    assert.equal(
      body._debug_info.rendered_template,
      "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n",
    );
    assert.equal(body._debug_info.image_count, 0);
    assert.deepEqual(body.choices[0]!.message, { role: "", content: "" });
    assert.equal(body.choices[0]!.finish_reason, null);
    assert.equal(body.usage.total_tokens, 0);
  });

  test("tool_choice allowed_tools offers only the listed tools; custom tools are skipped", async () => {
    const r = await client.chat.completions.create({
      model: "tools",
      messages: [{ role: "user", content: "time?" }],
      tools: [
        weatherTool,
        timeTool,
        { type: "custom", custom: { name: "shell", description: "free-form" } },
      ] as OpenAI.Chat.ChatCompletionTool[],
      tool_choice: {
        type: "allowed_tools",
        allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] },
      },
      max_tokens: 300,
      ...base,
    });
    const c = r.choices[0]!;
    assert.equal(c.finish_reason, "tool_calls");
    const call = c.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.function.name, "get_time");
  });

  test("tool_choice none drops the tools (a model without tool support then answers)", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "x" }],
      tools: [weatherTool],
      tool_choice: "none",
      max_tokens: 2,
      ...base,
    });
    assert.equal(r.choices[0]!.message.tool_calls, undefined);
    await assert.rejects(
      client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "x" }],
        tools: [weatherTool],
        max_tokens: 2,
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /does not support tools/.test(e.message),
    );
  });

  test("errors arrive as the SDK's typed errors with OpenAI's body", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: "missing", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.NotFoundError);
        assert.equal(e.status, 404);
        assert.equal((e.error as { type: string }).type, "not_found_error");
        assert.match(e.message, /model 'missing' not found/);
        return true;
      },
    );
    await assert.rejects(
      client.chat.completions.create({ model: "tiny", messages: [] }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /too short/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create({
        model: "tools",
        messages: [{ role: "user", content: "x" }],
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "nope" } },
      }),
      OpenAI.BadRequestError,
    );
    await assert.rejects(
      client.chat.completions.create({
        model: "tiny",
        messages: [{ role: "user", content: "x" }],
        reasoning_effort: "high",
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /does not support thinking/.test(e.message),
    );
    const res = await post("/v1/chat/completions", {
      model: "tiny",
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,@@" } }] },
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: { message: "invalid image input", type: "invalid_request_error", param: null, code: null },
    });
    const stream404 = await post("/v1/chat/completions", {
      model: "missing",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    assert.equal(stream404.status, 404);
    assert.equal(((await stream404.json()) as { error: { type: string } }).error.type, "not_found_error");
    // Bodies gin cannot bind, in Go's words as Ollama answers them.
    const raw = async (path: string, body: string) => {
      const r = await fetch(`${server.url}${path}`, { method: "POST", body });
      assert.equal(r.status, 400);
      return ((await r.json()) as { error: { message: string } }).error.message;
    };
    assert.equal(await raw("/v1/chat/completions", ""), "EOF");
    assert.equal(await raw("/v1/chat/completions", '{"model": "tiny", "messages": ['), "unexpected EOF");
    assert.equal(
      await raw("/v1/chat/completions", "[1]"),
      "json: cannot unmarshal array into Go value of type openai.ChatCompletionRequest",
    );
    assert.equal(
      await raw("/v1/completions", '"x"'),
      "json: cannot unmarshal string into Go value of type openai.CompletionRequest",
    );
    // a field of the wrong type: Go's message, and param null as in Ollama's error bodies
    const wrong = await post("/v1/chat/completions", { model: "tiny", messages: [], stream: "yes" });
    assert.equal(wrong.status, 400);
    assert.deepEqual(await wrong.json(), {
      error: {
        message:
          "json: cannot unmarshal string into Go struct field ChatCompletionRequest.stream of type bool",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });

  test("array content with text parts and developer messages are accepted", async () => {
    const r = await client.chat.completions.create({
      model: "tiny",
      messages: [
        { role: "developer", content: "be brief" },
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
      ],
      max_tokens: 2,
      ...base,
    });
    assert.ok(r.usage!.prompt_tokens > 0);
  });
});

describe("/v1/completions", () => {
  test("non-streaming and streaming completions", async () => {
    const r = await client.completions.create({ model: "tiny", prompt: "once", max_tokens: 4, ...base });
    assert.match(r.id, /^cmpl-\d+$/);
    assert.equal(r.object, "text_completion");
    assert.equal(r.system_fingerprint, "fp_ollama");
    assert.equal(r.choices[0]!.finish_reason, "length");
    assert.equal(r.usage!.completion_tokens, 4);
    const stream = await client.completions.create({
      model: "tiny",
      prompt: "once",
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
      ...base,
    });
    let text = "";
    let finish: string | null = null;
    const usages: OpenAI.CompletionUsage[] = [];
    for await (const c of stream) {
      text += c.choices[0]?.text ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
      // as in Ollama, every chunk carries a usage: zeros until the last, which has only that
      assert.ok(c.usage);
      usages.push(c.usage);
    }
    assert.equal(text, r.choices[0]!.text);
    assert.equal(finish, "length");
    assert.equal(usages.at(-1)!.completion_tokens, 4);
    assert.ok(usages.slice(0, -1).every((u) => u.total_tokens === 0));
  });

  test("echo starts the text with the prompt; n is one choice; a bad stop type is Ollama's error", async () => {
    const base = { model: "tiny", prompt: "hello", max_tokens: 3, temperature: 0, seed: 1 };
    const plain = await client.completions.create(base);
    const echoed = await client.completions.create({ ...base, echo: true, n: 2 });
    assert.equal(echoed.choices.length, 1);
    assert.equal(echoed.choices[0]!.text, `hello${plain.choices[0]!.text}`);
    let streamed = "";
    for await (const c of await client.completions.create({ ...base, echo: true, stream: true }))
      streamed += c.choices[0]?.text ?? "";
    assert.equal(streamed, echoed.choices[0]!.text);
    const res = await post("/v1/completions", { model: "tiny", prompt: "x", stop: ["a", 1] });
    assert.equal(res.status, 400);
    assert.equal(
      ((await res.json()) as { error: { message: string } }).error.message,
      "invalid type for 'stop' field: float64",
    );
  });
});

describe("/v1/models", () => {
  test("list and retrieve", async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id).sort();
    assert.deepEqual(ids, ["tiny:latest", "tools:latest"]);
    for (const m of list.data) {
      assert.equal(m.object, "model");
      assert.equal(m.owned_by, "library");
      assert.equal(typeof m.created, "number");
    }
    const m = await client.models.retrieve("tiny");
    assert.deepEqual(Object.keys(m).sort(), ["created", "id", "object", "owned_by"]);
    assert.equal(m.id, "tiny");
    await assert.rejects(client.models.retrieve("missing"), OpenAI.NotFoundError);
  });
});
