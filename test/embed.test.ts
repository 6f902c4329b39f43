import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { addModel, startServer, type TestServer } from "./helpers/server.js";
import { tinyModel } from "./helpers/models.js";

let server: TestServer;
let client: Ollama;

/** The tiny preset with mean pooling: an embedding model of 64 dimensions. */
const embeddingModel = () => tinyModel({ overrides: { poolingType: 1 } });

before(async () => {
  server = await startServer();
  client = new Ollama({ host: server.url });
  await addModel(server, "emb", { gguf: await embeddingModel() });
  await addModel(server, "tiny");
});
after(() => server.close());

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const unit = (v: number[]) => v.map((x) => x / norm(v));
function close(a: number[], b: number[], eps = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= eps, `[${i}] ${a[i]} vs ${b[i]}`);
}
async function post(path: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("/api/embed", () => {
  test("one input: an L2-normalised vector and Ollama's fields", async () => {
    const r = await client.embed({ model: "emb", input: "hello world" });
    assert.equal(r.model, "emb");
    assert.equal(r.embeddings.length, 1);
    assert.equal(r.embeddings[0]!.length, 64);
    assert.ok(Math.abs(norm(r.embeddings[0]!) - 1) < 1e-5);
    assert.ok(r.prompt_eval_count > 0);
    assert.equal(typeof r.total_duration, "number");
    // Loaded already or not, the time to a ready model is reported, as Ollama reports it.
    const again = await client.embed({ model: "emb", input: "hello world" });
    assert.ok(again.load_duration > 0 && again.load_duration <= again.total_duration);
    // float32 values printed as Go prints a []float32: the shortest digits that read back the same
    const text = await (
      await fetch(`${server.url}/api/embed`, {
        method: "POST",
        body: JSON.stringify({ model: "emb", input: "hello world" }),
      })
    ).text();
    const numbers = text.slice(text.indexOf("[[") + 2, text.indexOf("]]")).split(",");
    assert.equal(numbers.length, 64);
    for (const n of numbers) {
      const digits = n.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
      assert.ok(digits.length <= 9, n);
    }
  });

  test("a batch gives one vector per input, in order, equal to each input alone", async () => {
    const texts = ["the quick brown fox", "hello world", "jumps over the lazy dog"];
    const batch = await client.embed({ model: "emb", input: texts });
    assert.equal(batch.embeddings.length, 3);
    let tokens = 0;
    for (const [i, text] of texts.entries()) {
      const one = await client.embed({ model: "emb", input: text });
      close(batch.embeddings[i]!, one.embeddings[0]!);
      tokens += one.prompt_eval_count;
    }
    assert.equal(batch.prompt_eval_count, tokens);
    assert.notDeepEqual(batch.embeddings[0], batch.embeddings[1]);
  });

  test("dimensions keeps the first n values and renormalises them", async () => {
    const full = (await client.embed({ model: "emb", input: "dimensions" })).embeddings[0]!;
    const cut = (await client.embed({ model: "emb", input: "dimensions", dimensions: 16 })).embeddings[0]!;
    assert.equal(cut.length, 16);
    close(cut, unit(full.slice(0, 16)));
    // at or above the size it changes nothing
    const same = await client.embed({ model: "emb", input: "dimensions", dimensions: 64 });
    assert.deepEqual(same.embeddings[0], full);
  });

  test("over-long input: truncated by default, Ollama's error with truncate:false", async () => {
    const long = "lorem ipsum dolor sit amet ".repeat(40);
    const options = { num_ctx: 32 };
    const ok = await client.embed({ model: "emb", input: long, options });
    assert.equal(ok.embeddings.length, 1);
    assert.ok(ok.prompt_eval_count < 32, `evaluated ${ok.prompt_eval_count}`);
    const r = await post("/api/embed", { model: "emb", input: long, truncate: false, options });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { error: "the input length exceeds the context length" });
    // the client surfaces it as its ResponseError
    await assert.rejects(client.embed({ model: "emb", input: long, truncate: false, options }), {
      message: "the input length exceeds the context length",
    });
    // a short input with truncate:false is fine
    const short = await client.embed({ model: "emb", input: "short", truncate: false, options });
    assert.equal(short.embeddings.length, 1);
  });

  test("empty input answers no embeddings; bad input types and models are Ollama's errors", async () => {
    assert.deepEqual((await post("/api/embed", { model: "emb", input: "" })).body, {
      model: "emb",
      embeddings: [],
    });
    assert.deepEqual((await post("/api/embed", { model: "emb", input: [] })).body, {
      model: "emb",
      embeddings: [],
    });
    assert.deepEqual(await post("/api/embed", { model: "emb", input: [1, 2] }), {
      status: 400,
      body: { error: "invalid input type" },
    });
    assert.deepEqual(await post("/api/embed", { model: "tiny", input: "x" }), {
      status: 400,
      body: { error: '"tiny" does not support embeddings' },
    });
    // No input only loads the model, whatever it is, as in Ollama.
    assert.deepEqual(await post("/api/embed", { model: "tiny", input: [] }), {
      status: 200,
      body: { model: "tiny", embeddings: [] },
    });
    assert.deepEqual(await post("/api/embeddings", { model: "tiny", prompt: "" }), {
      status: 200,
      body: { embedding: [] },
    });
    assert.deepEqual(await post("/api/embed", { model: "nope", input: "x" }), {
      status: 404,
      body: { error: "model 'nope' not found" },
    });
    const missing = await fetch(`${server.url}/api/embed`, { method: "POST" });
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), { error: "missing request body" });
  });
});

describe("/api/embeddings (legacy)", () => {
  test("returns the vector L2-normalised, as Ollama's llama-server runner does: /api/embed's", async () => {
    const legacy = await client.embeddings({ model: "emb", prompt: "hello world" });
    assert.equal(legacy.embedding.length, 64);
    assert.ok(Math.abs(norm(legacy.embedding) - 1) < 1e-5, "normalised");
    const embed = await client.embed({ model: "emb", input: "hello world" });
    close(legacy.embedding, embed.embeddings[0]!);
  });

  test("an empty prompt answers an empty embedding; errors as Ollama's", async () => {
    assert.deepEqual((await post("/api/embeddings", { model: "emb", prompt: "" })).body, { embedding: [] });
    assert.deepEqual(await post("/api/embeddings", { model: "nope", prompt: "x" }), {
      status: 404,
      body: { error: 'model "nope" not found, try pulling it first' },
    });
    // no truncation here: an over-long prompt fails as the runner's refusal, a 500
    assert.deepEqual(
      await post("/api/embeddings", {
        model: "emb",
        prompt: "lorem ipsum dolor sit amet ".repeat(40),
        options: { num_ctx: 32 },
      }),
      { status: 500, body: { error: "the input length exceeds the context length" } },
    );
    assert.deepEqual(await post("/api/embeddings", { model: "tiny", prompt: "x" }), {
      status: 400,
      body: { error: '"tiny" does not support embeddings' },
    });
  });
});

describe("/v1/embeddings", () => {
  let openai: OpenAI;
  before(() => {
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  });

  test("float vectors match /api/embed, with usage", async () => {
    const input = ["first text", "second text"];
    const r = await openai.embeddings.create({ model: "emb", input, encoding_format: "float" });
    const ref = await client.embed({ model: "emb", input });
    assert.equal(r.object, "list");
    assert.equal(r.model, "emb");
    assert.deepEqual(
      r.data.map((d) => [d.object, d.index]),
      [
        ["embedding", 0],
        ["embedding", 1],
      ],
    );
    assert.deepEqual(
      r.data.map((d) => d.embedding),
      ref.embeddings,
    );
    assert.deepEqual(r.usage, { prompt_tokens: ref.prompt_eval_count, total_tokens: ref.prompt_eval_count });
  });

  test("base64 decodes to the same float32 values (the SDK's default format)", async () => {
    const raw = await post("/v1/embeddings", {
      model: "emb",
      input: "base64 please",
      encoding_format: "base64",
    });
    const data = (raw.body.data as Array<{ embedding: string }>)[0]!.embedding;
    assert.equal(typeof data, "string");
    const bytes = Buffer.from(data, "base64");
    const floats = [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)];
    const ref = await client.embed({ model: "emb", input: "base64 please" });
    assert.deepEqual(floats, ref.embeddings[0]!.map(Math.fround));
    // the SDK asks for base64 when no format is given and decodes it itself
    const sdk = await openai.embeddings.create({ model: "emb", input: "base64 please" });
    assert.deepEqual(sdk.data[0]!.embedding, floats);
  });

  test("dimensions and token-id input", async () => {
    const r = await openai.embeddings.create({
      model: "emb",
      input: "tokens",
      dimensions: 8,
      encoding_format: "float",
    });
    assert.equal(r.data[0]!.embedding.length, 8);
    // beyond Ollama: token ids, one list or several
    const one = await post("/v1/embeddings", {
      model: "emb",
      input: [300, 301, 302],
      encoding_format: "float",
    });
    assert.equal(one.status, 200);
    assert.equal((one.body.data as unknown[]).length, 1);
    const two = await post("/v1/embeddings", {
      model: "emb",
      input: [[300, 301], [302]],
      encoding_format: "float",
    });
    assert.equal((two.body.data as Array<{ embedding: number[] }>).length, 2);
    assert.equal((two.body.usage as { prompt_tokens: number }).prompt_tokens, 3);
  });

  test("errors arrive in OpenAI's shape and as the SDK's typed errors", async () => {
    const bad = await post("/v1/embeddings", { model: "emb", input: "x", encoding_format: "int8" });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      error: {
        message: "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    assert.deepEqual((await post("/v1/embeddings", { model: "emb", input: [] })).body, {
      error: { message: "invalid input", type: "invalid_request_error", param: null, code: null },
    });
    await assert.rejects(openai.embeddings.create({ model: "nope", input: "x" }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.message, "404 model 'nope' not found");
      return true;
    });
    await assert.rejects(openai.embeddings.create({ model: "tiny", input: "x" }), OpenAI.BadRequestError);
  });
});
