import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { addModel, chatmlTemplate, startServer, type TestServer } from "./helpers/server.js";
import { SHARED_MODELS_DIR } from "../src/gguf/model.js";
import { tinyModel } from "./helpers/models.js";

let server: TestServer;
let client: Ollama;

before(async () => {
  server = await startServer();
  client = new Ollama({ host: server.url });
  await addModel(server, "tiny", { template: chatmlTemplate });
});
after(() => server.close());

describe("/api/generate", () => {
  test("streams NDJSON chunks with Ollama's final fields", async () => {
    const res = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({
        model: "tiny",
        prompt: "hello",
        options: { num_predict: 8, seed: 1, temperature: 0 },
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.model, "tiny");
    assert.match(String(last.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    for (const key of ["total_duration", "prompt_eval_count", "eval_count", "eval_duration"]) {
      assert.equal(typeof last[key], "number", key);
    }
    assert.ok(Array.isArray(last.context));
    assert.ok(["stop", "length"].includes(String(last.done_reason)));
    for (const l of lines.slice(0, -1)) assert.equal(l.done, false);
  });

  test("stream:false returns the same text as streaming", async () => {
    const opts = { num_predict: 12, seed: 42, temperature: 0 };
    const whole = await client.generate({ model: "tiny", prompt: "abc", stream: false, options: opts });
    let streamed = "";
    for await (const part of await client.generate({
      model: "tiny",
      prompt: "abc",
      stream: true,
      options: opts,
    })) {
      streamed += part.response;
    }
    assert.equal(streamed, whole.response);
    assert.equal(whole.done, true);
  });

  test("num_predict limits the tokens with done_reason length", async () => {
    const r = await client.generate({
      model: "tiny",
      prompt: "x",
      stream: false,
      options: { num_predict: 3, temperature: 0 },
    });
    assert.equal(r.eval_count <= 3, true);
  });

  test("an open-ended generation ends at ten contexts' worth of tokens, as in Ollama", async () => {
    // High temperature over a flat vocabulary keeps the tiny model off its end token.
    for (const num_predict of [-1, -2, 0, 100_000]) {
      const r = await client.generate({
        model: "tiny",
        prompt: "x",
        stream: false,
        options: { num_ctx: 32, num_predict, temperature: 5, top_k: 0, top_p: 1, seed: 3 },
      });
      assert.ok(r.eval_count <= 320, `${num_predict}: ${r.eval_count}`);
      if (r.done_reason === "length") assert.equal(r.eval_count, 320, String(num_predict));
    }
  });

  test("context leaves out the tokens of a stop sequence, as Ollama's re-tokenized text does", async () => {
    // A hot, seeded sampler: the tiny model's greedy output repeats one token.
    const options = { num_predict: 12, temperature: 5, top_k: 0, top_p: 1, seed: 3 };
    const whole = await client.generate({
      model: "tiny",
      prompt: "hello",
      stream: false,
      logprobs: true,
      options,
    });
    const texts = (whole.logprobs ?? []).map((l) => l.token);
    // The first token from the third on whose text is not in the output before it.
    const at = texts.findIndex(
      (t, i) => i >= 2 && t.trim() !== "" && !texts.slice(0, i).join("").includes(t),
    );
    assert.ok(at > 0, `no usable stop in ${JSON.stringify(texts)}`);
    const stop = texts[at]!;
    const cut = await client.generate({
      model: "tiny",
      prompt: "hello",
      stream: false,
      options: { ...options, stop: [stop] },
    });
    assert.equal(cut.response, texts.slice(0, at).join(""));
    assert.equal(cut.eval_count, at + 1);
    // the context is the prompt and the answer as sent, tokenized again: the cut text is not in it
    assert.ok(cut.context.length < whole.context.length);
    assert.deepEqual(
      cut.context,
      (
        await client.generate({
          model: "tiny",
          prompt: "hello",
          stream: false,
          options: { ...options, stop: [stop] },
        })
      ).context,
    );
  });

  test("a context passed back goes in as its text, ahead of the new prompt, as in Ollama", async () => {
    const options = { num_predict: 6, temperature: 0, seed: 1 };
    const first = await client.generate({ model: "tiny", prompt: "hello", stream: false, options });
    const one = { num_predict: 1, temperature: 0 };
    const fresh = await client.generate({ model: "tiny", prompt: "more", stream: false, options: one });
    const again = await client.generate({
      model: "tiny",
      prompt: "more",
      context: first.context,
      stream: false,
      options: one,
    });
    assert.equal(again.prompt_eval_count, first.context.length + fresh.prompt_eval_count);
    // the context carries on: the second answer's context starts with the first's
    assert.deepEqual(again.context.slice(0, first.context.length), first.context);
  });

  test("a context has no BOS, as Ollama's (llama-server tokenizes it without special tokens)", async (t) => {
    const gguf = join(SHARED_MODELS_DIR, "llama-2-tiny-random.gguf");
    if (!existsSync(gguf)) return t.skip(`${gguf} is absent`);
    await addModel(server, "llama-tiny", { gguf });
    const r = await client.generate({
      model: "llama-tiny",
      prompt: "hello",
      stream: false,
      keep_alive: 0,
      options: { num_predict: 2, temperature: 0 },
    });
    assert.ok(r.context.length > 0);
    assert.notEqual(r.context[0], 1, "BOS (token 1) is not in the context");
    // unloaded before the next test counts loaded models
    const loaded = async () => (await client.ps()).models.some((m) => m.name.startsWith("llama-tiny"));
    for (let i = 0; i < 50 && (await loaded()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });

  test("a prompt over the context is cut as Ollama cuts it, or refused without context shift", async () => {
    const prompt = "word ".repeat(100);
    const options = { num_ctx: 32, num_predict: 1 };
    const cut = await client.generate({ model: "tiny", prompt, raw: true, stream: false, options });
    // num_keep 4 of 32 (the test model adds no BOS): 32 - floor(28 / 2) = 18 prompt tokens
    assert.equal(cut.prompt_eval_count, 18);
    const res = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: "tiny", prompt, raw: true, shift: false, options }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string };
    assert.match(
      body.error,
      /^the prompt is longer than the context length currently available to the model/,
    );
  });

  test("an empty prompt loads the model; keep_alive 0 unloads it", async () => {
    const load = await client.generate({ model: "tiny", prompt: "", stream: false });
    assert.equal(load.done_reason, "load");
    assert.equal((await client.ps()).models.length, 1);
    const unload = await client.generate({ model: "tiny", prompt: "", keep_alive: 0, stream: false });
    assert.equal(unload.done_reason, "unload");
    for (let i = 0; i < 50 && (await client.ps()).models.length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal((await client.ps()).models.length, 0);
    // Streamed, a load is still one JSON object, as Ollama's c.JSON sends it.
    const res = await fetch(`${server.url}/api/generate`, { method: "POST", body: '{"model":"tiny"}' });
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
    const body = (await res.json()) as { done: boolean; done_reason: string };
    assert.deepEqual([body.done, body.done_reason], [true, "load"]);
  });

  test("format json always parses", async () => {
    for (const seed of [1, 2, 3]) {
      const r = await client.generate({
        model: "tiny",
        prompt: "json please",
        format: "json",
        stream: false,
        options: { seed, num_predict: 64 },
      });
      if (r.done_reason === "stop")
        assert.doesNotThrow(() => JSON.parse(String(r.response)), `not JSON: ${r.response}`);
    }
  });

  test("a JSON schema format is enforced: every answer parses and validates", async () => {
    const schema = {
      type: "object",
      properties: { ok: { type: "boolean" }, mood: { type: "string", enum: ["happy", "sad"] } },
      required: ["ok", "mood"],
    };
    for (const seed of [1, 2, 3, 4]) {
      const r = await client.generate({
        model: "tiny",
        prompt: "status?",
        format: schema,
        stream: false,
        options: { seed },
      });
      assert.equal(r.done_reason, "stop");
      const value = JSON.parse(String(r.response)) as { ok: unknown; mood: unknown };
      assert.equal(typeof value.ok, "boolean");
      assert.ok(["happy", "sad"].includes(value.mood as string));
    }
  });

  test("unknown model is 404 with Ollama's message", async () => {
    const res = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: "nope", prompt: "x" }),
    });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "model 'nope' not found" });
  });

  test("model references as Ollama reads them: :local, a name that does not parse, a cloud model", async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const local = await post("/api/generate", { model: "tiny:local", prompt: "x", stream: false });
    assert.equal(local.status, 200);
    assert.equal(local.body.model, "tiny:local");
    const bad = { status: 400, body: { error: "invalid model name" } };
    assert.deepEqual(await post("/api/generate", { model: "bad name!!", prompt: "x" }), bad);
    assert.deepEqual(await post("/api/chat", { model: "bad name!!", messages: [] }), bad);
    assert.deepEqual(await post("/api/embed", { model: "bad name!!", input: "x" }), bad);
    assert.deepEqual(await post("/api/embeddings", { model: "bad name!!", prompt: "x" }), bad);
    assert.deepEqual(await post("/api/chat", { model: " ", messages: [] }), {
      status: 400,
      body: { error: "model is required" },
    });
    assert.deepEqual(await post("/api/generate", { model: "gpt-oss:120b-cloud", prompt: "x" }), {
      status: 403,
      body: { error: "ollama cloud is disabled: remote model is unavailable" },
    });
    assert.deepEqual(await post("/api/show", { model: "gpt-oss:120b:cloud" }), {
      status: 403,
      body: { error: "ollama cloud is disabled: remote model details are unavailable" },
    });
    assert.deepEqual(await post("/api/generate", { model: "tiny:local:cloud", prompt: "x" }), {
      status: 400,
      body: { error: 'use either :local or :cloud, not both: "tiny:local:cloud"' },
    });
  });

  test("images on a vision model are refused plainly (node-llama-cpp cannot read them), not dropped", async () => {
    await addModel(server, "seer", { template: chatmlTemplate, projector: await tinyModel() });
    const image = Buffer.from("not really a picture").toString("base64");
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const refused = {
      status: 501,
      body: {
        error:
          '"seer" reads images, but tollama cannot run image input yet (node-llama-cpp has no multimodal support); send text only',
      },
    };
    assert.deepEqual(
      await post("/api/generate", { model: "seer", prompt: "what is it?", images: [image] }),
      refused,
    );
    const messages = [{ role: "user", content: "what is it?", images: [image] }];
    assert.deepEqual(await post("/api/chat", { model: "seer", messages }), refused);
    // the template still renders them, and text alone runs
    const debug = await post("/api/chat", { model: "seer", messages, _debug_render_only: true });
    assert.equal((debug.body._debug_info as { image_count: number }).image_count, 1);
    const text = await post("/api/chat", {
      model: "seer",
      messages: [{ role: "user", content: "hi" }],
      stream: false,
      keep_alive: 0,
      options: { num_predict: 2 },
    });
    assert.equal(text.status, 200);
  });

  test("bad JSON and wrong types are 400 in Go's words", async () => {
    const cases: Array<[string, string]> = [
      ["", "missing request body"],
      ["{", "unexpected EOF"],
      [
        '{"model": 1}',
        "json: cannot unmarshal number into Go struct field GenerateRequest.model of type string",
      ],
    ];
    for (const [body, error] of cases) {
      const res = await fetch(`${server.url}/api/generate`, { method: "POST", body });
      assert.equal(res.status, 400, body);
      assert.deepEqual(await res.json(), { error }, body || "(empty)");
    }
  });

  test("raw with system is rejected", async () => {
    const res = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: "tiny", prompt: "x", raw: true, system: "s" }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: "raw mode does not support template, system, or context" });
  });
});

describe("/api/chat", () => {
  test("streams assistant messages through the official client", async () => {
    let content = "";
    let final: Record<string, unknown> | undefined;
    const stream = await client.chat({
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      options: { num_predict: 10, seed: 3 },
    });
    for await (const part of stream) {
      assert.equal(part.message.role, "assistant");
      content += part.message.content;
      if (part.done) final = part as unknown as Record<string, unknown>;
    }
    assert.ok(final);
    assert.equal(typeof final.eval_count, "number");
    assert.equal(final.context, undefined);
    void content;
  });

  test("_debug_render_only returns the rendered prompt", async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({
        model: "tiny",
        stream: false,
        _debug_render_only: true,
        messages: [{ role: "user", content: "Hello" }],
      }),
    });
    const body = (await res.json()) as { _debug_info: { rendered_template: string } };
    assert.equal(
      body._debug_info.rendered_template,
      "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  test("tools on a model whose template cannot take them is Ollama's capability error", async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({
        model: "tiny",
        messages: [{ role: "user", content: "x" }],
        tools: [
          { type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } },
        ],
      }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: "registry.ollama.ai/library/tiny:latest does not support tools",
    });
  });

  test("a client that disconnects mid-stream frees its slot", async () => {
    const ac = new AbortController();
    const res = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      signal: ac.signal,
      body: JSON.stringify({
        model: "tiny",
        messages: [{ role: "user", content: "go" }],
        options: { num_predict: 100000 },
      }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    // Both slots must be usable again: two concurrent requests complete.
    const runs = [1, 2].map(() =>
      client.chat({
        model: "tiny",
        messages: [{ role: "user", content: "again" }],
        stream: false,
        options: { num_predict: 4 },
      }),
    );
    const results = await Promise.all(runs);
    for (const r of results) assert.equal(r.done, true);
  });
});
