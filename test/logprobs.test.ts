// logprobs / top_logprobs on /api/generate, /api/chat, /v1/chat/completions and /v1/completions,
// through the official `ollama` and `openai` packages and raw HTTP, on the tiny real model. Its
// text is gibberish, so the checks are about consistency: a log-softmax over the raw logits, top
// alternatives sorted and on the same scale, one entry per generated token, cut with the text.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { addModel, chatmlTemplate, startServer, type TestServer } from "./helpers/server.js";

interface WireTop {
  token: string;
  logprob: number;
  bytes?: number[];
}
interface WireLogprob extends WireTop {
  top_logprobs?: WireTop[];
}

let server: TestServer;
let ollama: Ollama;
let openai: OpenAI;
const greedy = { temperature: 0, seed: 7, num_predict: 10 };

before(async () => {
  server = await startServer();
  ollama = new Ollama({ host: server.url });
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  await addModel(server, "tiny", { template: chatmlTemplate });
});
after(() => server.close());

async function ndjson(path: string, body: unknown): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return (await res.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** What every logprob entry must satisfy; `top` alternatives asked for. */
function checkEntry(l: WireLogprob, top: number, greedyPick: boolean) {
  assert.ok(Number.isFinite(l.logprob) && l.logprob <= 0, `logprob ${l.logprob}`);
  if (l.token !== "") assert.deepEqual(l.bytes, [...Buffer.from(l.token, "utf8")]);
  if (top === 0) {
    assert.equal(l.top_logprobs, undefined);
    return;
  }
  const alts = l.top_logprobs ?? [];
  assert.equal(alts.length, top);
  for (let i = 1; i < alts.length; i++) assert.ok(alts[i - 1]!.logprob >= alts[i]!.logprob);
  assert.ok(alts.reduce((s, a) => s + Math.exp(a.logprob), 0) <= 1 + 1e-5);
  assert.ok(alts[0]!.logprob >= l.logprob - 1e-6);
  if (greedyPick) {
    // temperature 0 picks the most likely token, so it heads its own alternatives
    assert.equal(alts[0]!.token, l.token);
    assert.ok(Math.abs(alts[0]!.logprob - l.logprob) < 1e-5);
  }
}

describe("logprobs", () => {
  test("/api/generate streams one entry per generated token with its alternatives", async () => {
    const lines = await ndjson("/api/generate", {
      model: "tiny",
      prompt: "hello",
      logprobs: true,
      top_logprobs: 3,
      options: greedy,
    });
    const all = lines.flatMap((l) => (l.logprobs as WireLogprob[] | undefined) ?? []);
    const last = lines.at(-1)!;
    assert.equal(all.length, last.eval_count);
    for (const l of all) checkEntry(l, 3, true);
    // Each chunk carries the entries of the tokens whose text it sends.
    const text = lines.map((l) => l.response as string).join("");
    assert.equal(all.map((l) => l.token).join(""), text);
  });

  test("no logprobs unless asked; top_logprobs alone asks nothing", async () => {
    const plain = await ollama.generate({ model: "tiny", prompt: "hi", stream: false, options: greedy });
    assert.equal(plain.logprobs, undefined);
    const lines = await ndjson("/api/generate", {
      model: "tiny",
      prompt: "hi",
      top_logprobs: 2,
      options: greedy,
    });
    assert.ok(lines.every((l) => l.logprobs === undefined));
  });

  test("stream:false collects every entry (ollama client), without alternatives when top_logprobs is 0", async () => {
    const r = await ollama.generate({
      model: "tiny",
      prompt: "abc",
      stream: false,
      logprobs: true,
      options: { ...greedy, temperature: 0.9 },
    });
    assert.equal(r.logprobs?.length, r.eval_count);
    for (const l of r.logprobs ?? []) checkEntry(l, 0, false);
  });

  test("a stop sequence cuts the entries with the text", async () => {
    // seeded sampling: greedy decoding of this model repeats one token
    const options = { ...greedy, temperature: 0.8 };
    const first = await ollama.generate({
      model: "tiny",
      prompt: "xyz",
      stream: false,
      logprobs: true,
      options,
    });
    const tokens = (first.logprobs ?? []).map((l) => l.token);
    // stop at the first token, after the third, whose text is unique in the output
    const at = tokens.findIndex(
      (t, i) =>
        i >= 3 &&
        t.trim().length > 0 &&
        (first.response ?? "").indexOf(t) === tokens.slice(0, i).join("").length,
    );
    assert.ok(at >= 0, `no token usable as a stop in ${JSON.stringify(tokens)}`);
    const stopped = await ollama.generate({
      model: "tiny",
      prompt: "xyz",
      stream: false,
      logprobs: true,
      options: { ...options, stop: [tokens[at]!] },
    });
    assert.equal(stopped.response, tokens.slice(0, at).join(""));
    assert.deepEqual(
      (stopped.logprobs ?? []).map((l) => l.token),
      tokens.slice(0, at),
    );
  });

  test("/api/chat (ollama client, streaming) reports them too", async () => {
    const all: WireLogprob[] = [];
    let evalCount = 0;
    for await (const part of await ollama.chat({
      model: "tiny",
      messages: [{ role: "user", content: "hello" }],
      stream: true,
      logprobs: true,
      top_logprobs: 1,
      options: greedy,
    })) {
      all.push(...(part.logprobs ?? []));
      if (part.done) evalCount = part.eval_count;
    }
    assert.equal(all.length, evalCount);
    for (const l of all) checkEntry(l, 1, true);
  });

  test("concurrent requests each read their own position in a shared batch", async () => {
    // Two slots decode in one batch; each entry must still head its own greedy alternatives, and the
    // answers match the same requests run one at a time.
    const ask = (prompt: string) =>
      ollama.generate({
        model: "tiny",
        prompt,
        stream: false,
        logprobs: true,
        top_logprobs: 2,
        options: greedy,
      });
    const [a, b] = await Promise.all([ask("first one"), ask("another prompt")]);
    for (const r of [a, b]) {
      assert.equal(r.logprobs?.length, r.eval_count);
      for (const l of r.logprobs ?? []) checkEntry(l, 2, true);
    }
    const alone = await ask("another prompt");
    assert.deepEqual(
      alone.logprobs?.map((l) => l.token),
      b.logprobs?.map((l) => l.token),
    );
  });

  test("top_logprobs above 20 is Ollama's 400", async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "tiny", messages: [], logprobs: true, top_logprobs: 21 }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: "top_logprobs must be between 0 and 20" });
  });

  test("/v1/chat/completions: choices[].logprobs.content (openai client), whole and streamed", async () => {
    const body = {
      model: "tiny",
      messages: [{ role: "user" as const, content: "hello" }],
      temperature: 0,
      seed: 7,
      max_tokens: 8,
      logprobs: true,
      top_logprobs: 2,
    };
    const whole = await openai.chat.completions.create(body);
    const content = whole.choices[0]?.logprobs?.content ?? [];
    assert.equal(content.length, whole.usage?.completion_tokens);
    for (const l of content) checkEntry(l as WireLogprob, 2, true);

    const streamed: WireLogprob[] = [];
    for await (const chunk of await openai.chat.completions.create({ ...body, stream: true })) {
      streamed.push(...((chunk.choices[0]?.logprobs?.content ?? []) as WireLogprob[]));
    }
    assert.deepEqual(
      streamed.map((l) => l.token),
      content.map((l) => l.token),
    );
    const none = await openai.chat.completions.create({ ...body, logprobs: false, top_logprobs: undefined });
    assert.equal(none.choices[0]?.logprobs, undefined);
  });

  test("/v1/completions: OpenAI's legacy shape for logprobs: N", async () => {
    const r = await openai.completions.create({
      model: "tiny",
      prompt: "hello",
      temperature: 0,
      seed: 7,
      max_tokens: 6,
      logprobs: 2,
    });
    const lp = r.choices[0]?.logprobs;
    assert.ok(lp);
    const n = r.usage?.completion_tokens ?? 0;
    assert.equal(lp.tokens?.length, n);
    assert.equal(lp.token_logprobs?.length, n);
    assert.equal(lp.text_offset?.length, n);
    assert.equal(lp.tokens?.join(""), r.choices[0]?.text);
    for (const [i, alts] of (lp.top_logprobs ?? []).entries()) {
      assert.equal(Object.keys(alts).length, 2);
      assert.ok(Math.max(...Object.values(alts)) >= (lp.token_logprobs?.[i] ?? 0) - 1e-6);
    }
  });
});
