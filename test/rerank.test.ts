import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { addModel, startServer, type TestServer } from "./helpers/server.js";
import { tinyModel } from "./helpers/models.js";

let server: TestServer;

/**
 * A random-weight reranker llama.cpp ranks with: qwen3 shape, rank pooling and a two-label
 * classifier head (as converted Qwen3 rerankers have), so scores are a softmax in [0, 1].
 */
const rerankerModel = () =>
  tinyModel({
    overrides: { arch: "qwen3", qkvBias: false, poolingType: 4, classifierLabels: ["yes", "no"] },
  });

before(async () => {
  server = await startServer();
  await addModel(server, "ranker", { gguf: await rerankerModel() });
  await addModel(server, "emb", { gguf: await tinyModel({ overrides: { poolingType: 1 } }) });
  await addModel(server, "tiny");
});
after(() => server.close());

async function post(path: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Result {
  index: number;
  relevance_score: number;
  document?: { text: string };
}

const documents = [
  "A fox is a small wild animal.",
  "The sky is blue on a clear day.",
  "Quick brown foxes jump over lazy dogs.",
  "Tax forms are due in April.",
];

describe("/api/rerank", () => {
  test("scores every document, best first, with usage", async () => {
    const r = await post("/api/rerank", { model: "ranker", query: "what is a fox?", documents });
    assert.equal(r.status, 200);
    assert.equal(r.body.model, "ranker");
    const results = r.body.results as Result[];
    assert.equal(results.length, documents.length);
    assert.deepEqual(results.map((x) => x.index).sort(), [0, 1, 2, 3]);
    for (const x of results) {
      assert.ok(x.relevance_score >= 0 && x.relevance_score <= 1, String(x.relevance_score));
      assert.equal(x.document, undefined);
    }
    for (let i = 1; i < results.length; i++) {
      assert.ok(results[i - 1]!.relevance_score >= results[i]!.relevance_score, "sorted");
    }
    const usage = r.body.usage as { prompt_tokens: number; total_tokens: number };
    assert.ok(usage.prompt_tokens > 0);
    assert.equal(usage.total_tokens, usage.prompt_tokens);
  });

  test("scores are per document: the same alone as in a batch, and deterministic", async () => {
    const batch = (await post("/api/rerank", { model: "ranker", query: "fox", documents })).body
      .results as Result[];
    for (const [i, doc] of documents.entries()) {
      const alone = (await post("/api/rerank", { model: "ranker", query: "fox", documents: [doc] })).body
        .results as Result[];
      const inBatch = batch.find((x) => x.index === i)!;
      assert.ok(Math.abs(alone[0]!.relevance_score - inBatch.relevance_score) < 1e-6);
    }
  });

  test("a rerank beside a streamed generation: both finish, with the scores a rerank gets alone", async () => {
    const alone = (await post("/api/rerank", { model: "ranker", query: "fox", documents })).body;
    const generation = fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: "tiny", prompt: "hello", options: { num_predict: 64, seed: 1 } }),
    }).then((res) => res.text());
    const [beside, text] = await Promise.all([
      post("/api/rerank", { model: "ranker", query: "fox", documents }),
      generation,
    ]);
    assert.equal(beside.status, 200);
    assert.deepEqual(beside.body, alone);
    const last = JSON.parse(text.trim().split("\n").at(-1)!) as { done?: boolean; eval_count?: number };
    assert.equal(last.done, true);
    assert.ok((last.eval_count ?? 0) > 0);
  });

  test("top_n and return_documents; documents may be {text} objects", async () => {
    const r = await post("/api/rerank", {
      model: "ranker",
      query: "fox",
      documents: documents.map((text) => ({ text })),
      top_n: 2,
      return_documents: true,
    });
    const results = r.body.results as Result[];
    assert.equal(results.length, 2);
    for (const x of results) assert.deepEqual(x.document, { text: documents[x.index] });
  });

  test("models that are not rerankers, and bad requests, get clear errors", async () => {
    assert.deepEqual(await post("/api/rerank", { model: "emb", query: "q", documents: ["d"] }), {
      status: 400,
      body: { error: '"emb" does not support reranking' },
    });
    assert.deepEqual(await post("/api/rerank", { model: "tiny", query: "q", documents: ["d"] }), {
      status: 400,
      body: { error: '"tiny" does not support reranking' },
    });
    // and a reranker is no embedding model
    assert.deepEqual(await post("/api/embed", { model: "ranker", input: "x" }), {
      status: 400,
      body: { error: '"ranker" does not support embeddings' },
    });
    assert.deepEqual(await post("/api/rerank", { model: "nope", query: "q", documents: ["d"] }), {
      status: 404,
      body: { error: "model 'nope' not found" },
    });
    assert.equal((await post("/api/rerank", { model: "ranker", query: "q", documents: [] })).status, 400);
    assert.equal((await post("/api/rerank", { model: "ranker", documents: ["d"] })).status, 400);
    assert.equal((await post("/api/rerank", { model: "ranker", query: "q", documents: [1] })).status, 400);
    assert.equal(
      (await post("/api/rerank", { model: "ranker", query: "q", documents: ["d"], top_n: -1 })).status,
      400,
    );
    assert.deepEqual(await post("/api/rerank", ""), { status: 400, body: { error: "missing request body" } });
  });

  test("a query and document beyond the context is refused", async () => {
    const r = await post("/api/rerank", {
      model: "ranker",
      query: "fox",
      documents: ["lorem ipsum dolor sit amet ".repeat(40)],
      options: { num_ctx: 32 },
    });
    assert.deepEqual(r, { status: 400, body: { error: "the input length exceeds the context length" } });
  });
});

describe("/v1/rerank", () => {
  test("the same results as /api/rerank", async () => {
    const body = { model: "ranker", query: "what is a fox?", documents, top_n: 3 };
    const v1 = await post("/v1/rerank", body);
    const api = await post("/api/rerank", body);
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.body, api.body);
  });

  test("errors in OpenAI's shape", async () => {
    assert.deepEqual(await post("/v1/rerank", { model: "nope", query: "q", documents: ["d"] }), {
      status: 404,
      body: {
        error: { message: "model 'nope' not found", type: "not_found_error", param: null, code: null },
      },
    });
    assert.deepEqual(await post("/v1/rerank", { model: "emb", query: "q", documents: ["d"] }), {
      status: 400,
      body: {
        error: {
          message: '"emb" does not support reranking',
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      },
    });
  });
});
