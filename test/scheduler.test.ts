import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import { addModel, chatmlTemplate, startServer, type TestServer } from "./helpers/server.js";
import { createLlamaEngine } from "../src/engine/llama.js";
import type { Engine, EngineSequence } from "../src/engine/types.js";

/** The real engine, recording how many prompt tokens each generation actually evaluated. */
function spyEngine(evaluated: number[]): Engine {
  const engine = createLlamaEngine({ maxThreads: 1, library: "cpu" });
  const spySequence = (seq: EngineSequence): EngineSequence => ({
    get cachedTokens() {
      return seq.cachedTokens;
    },
    release: () => seq.release(),
    generate: (prompt, sampling, o) =>
      seq.generate(prompt, sampling, {
        ...o,
        onPromptDone: (n) => {
          evaluated.push(n);
          o.onPromptDone?.(n);
        },
      }),
  });
  return {
    ...engine,
    async loadModel(opts, signal) {
      const model = await engine.loadModel(opts, signal);
      return new Proxy(model, {
        get(target, key, receiver) {
          if (key !== "acquireSequence") return Reflect.get(target, key, receiver) as unknown;
          return (tokens: readonly number[]) => {
            const seq = target.acquireSequence(tokens);
            return seq && spySequence(seq);
          };
        },
      });
    },
  };
}

const evaluated: number[] = [];
let server: TestServer;
let client: Ollama;

before(async () => {
  server = await startServer({ OLLAMA_NUM_PARALLEL: "4" }, spyEngine(evaluated));
  client = new Ollama({ host: server.url });
  await addModel(server, "tiny", { template: chatmlTemplate });
});
after(() => server.close());

test("concurrent clients each get the answer they get alone", async () => {
  const ask = (seed: number) =>
    client.generate({
      model: "tiny",
      prompt: `question ${seed}`,
      stream: false,
      options: { seed, num_predict: 16, temperature: 0.9 },
    });
  const alone: string[] = [];
  for (const seed of [1, 2, 3, 4, 5, 6]) alone.push(String((await ask(seed)).response));
  const together = await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => ask(seed)));
  assert.deepEqual(
    together.map((r) => r.response),
    alone,
  );
});

test("a multi-turn chat evaluates only the new messages", async () => {
  const messages: Array<{ role: string; content: string }> = [{ role: "system", content: "You are terse." }];
  const counts: Array<{ reported: number; evaluated: number }> = [];
  for (let turn = 0; turn < 4; turn++) {
    messages.push({ role: "user", content: `turn ${turn} says hello there` });
    evaluated.length = 0;
    const r = await client.chat({
      model: "tiny",
      messages,
      stream: false,
      options: { num_predict: 6, seed: turn },
    });
    counts.push({ reported: r.prompt_eval_count, evaluated: evaluated[0] ?? -1 });
    messages.push({ role: "assistant", content: r.message.content });
  }
  for (let i = 1; i < counts.length; i++) {
    const c = counts[i]!;
    assert.ok(c.reported > counts[i - 1]!.reported, "prompt_eval_count reports the whole prompt");
    assert.ok(c.evaluated < c.reported / 2, `turn ${i} evaluated ${c.evaluated} of ${c.reported}`);
  }
});

test("generation that fills num_ctx stops with length when shift is false, and shifts otherwise", async () => {
  // A prompt that leaves a few tokens of a 64-token context, so the context fills before a random
  // model happens to end its answer.
  const probe = await client.generate({
    model: "tiny",
    prompt: "a b c d e f",
    stream: false,
    options: { num_predict: 1 },
  });
  const prompt = "a b c d e f ".repeat(Math.max(1, Math.floor(56 / probe.prompt_eval_count)));
  const opts = { num_ctx: 64, num_predict: 200, temperature: 0.9, seed: 7 };
  const body = (shift: boolean) =>
    JSON.stringify({ model: "tiny", prompt, stream: false, shift, options: opts });
  const stopped = (await (
    await fetch(`${server.url}/api/generate`, { method: "POST", body: body(false) })
  ).json()) as {
    done_reason: string;
    prompt_eval_count: number;
    eval_count: number;
  };
  assert.ok(stopped.prompt_eval_count + stopped.eval_count <= 64);
  if (stopped.done_reason === "length") assert.equal(stopped.prompt_eval_count + stopped.eval_count, 64);
  const shifted = (await (
    await fetch(`${server.url}/api/generate`, { method: "POST", body: body(true) })
  ).json()) as {
    done_reason: string;
    eval_count: number;
  };
  if (shifted.done_reason === "length") assert.equal(shifted.eval_count, 200, "kept generating past num_ctx");
});

test("a prompt longer than num_ctx is truncated, or rejected with truncate:false", async () => {
  const long = "word ".repeat(400);
  const ok = await client.generate({
    model: "tiny",
    prompt: long,
    stream: false,
    options: { num_ctx: 128, num_predict: 2 },
  });
  assert.ok(ok.prompt_eval_count < 128);
  const res = await fetch(`${server.url}/api/generate`, {
    method: "POST",
    body: JSON.stringify({
      model: "tiny",
      prompt: long,
      stream: false,
      truncate: false,
      options: { num_ctx: 128, num_predict: 2 },
    }),
  });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: "the input length exceeds the context length" });
});

test("past the queue limit, requests waiting for the model to load get 503; the rest succeed", async () => {
  const limited = await startServer({ OLLAMA_NUM_PARALLEL: "1", OLLAMA_MAX_QUEUE: "1" });
  try {
    await addModel(limited, "tiny", { template: chatmlTemplate });
    const body = JSON.stringify({ model: "tiny", prompt: "q", stream: false, options: { num_predict: 64 } });
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        fetch(`${limited.url}/api/generate`, { method: "POST", body }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Record<string, unknown>,
        })),
      ),
    );
    const busy = results.filter((r) => r.status === 503);
    assert.ok(busy.length >= 1, "some requests are turned away");
    for (const b of busy)
      assert.deepEqual(b.body, {
        error: "server busy, please try again.  maximum pending requests exceeded",
      });
    assert.ok(results.filter((r) => r.status === 200).length >= 2);
  } finally {
    await limited.close();
  }
});

test("clients that leave while queued or while generating free their slots for the next burst", async () => {
  const srv = await startServer({ OLLAMA_NUM_PARALLEL: "2" });
  try {
    await addModel(srv, "tiny", { template: chatmlTemplate });
    const long = JSON.stringify({ model: "tiny", prompt: "go", options: { num_predict: 100000 } });
    const leaving = [0, 1, 2, 3].map(() => new AbortController());
    // Two generate, two wait in the queue; all four leave.
    const started = leaving.map((ac) =>
      fetch(`${srv.url}/api/generate`, { method: "POST", body: long, signal: ac.signal }).catch(
        () => undefined,
      ),
    );
    const first = await started[0];
    await first?.body?.getReader().read();
    for (const ac of leaving) ac.abort();
    await Promise.all(started);
    const burst = await Promise.all(
      [1, 2].map(() =>
        fetch(`${srv.url}/api/generate`, {
          method: "POST",
          body: JSON.stringify({
            model: "tiny",
            prompt: "again",
            stream: false,
            options: { num_predict: 4 },
          }),
          signal: AbortSignal.timeout(60_000),
        }).then((r) => r.json() as Promise<{ done: boolean; eval_count: number }>),
      ),
    );
    for (const r of burst) assert.deepEqual([r.done, r.eval_count], [true, 4]);
  } finally {
    await srv.close();
  }
});

test("keep_alive expiry and eviction show in /api/ps (injected clock)", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock = {
    now: () => now,
    setTimer(fn: () => void, ms: number) {
      const t = { at: now + ms, fn };
      timers.add(t);
      return t;
    },
    clearTimer: (t: unknown) => void timers.delete(t as { at: number; fn: () => void }),
  };
  const srv = await startServer({ OLLAMA_MAX_LOADED_MODELS: "1" }, undefined, clock);
  const ollama = new Ollama({ host: srv.url });
  const names = async () => (await ollama.ps()).models.map((m) => m.name).sort();
  try {
    await addModel(srv, "a", { template: chatmlTemplate });
    await addModel(srv, "b", { template: chatmlTemplate, params: { num_ctx: 256 } });
    await ollama.generate({ model: "a", prompt: "", keep_alive: "1m" });
    const [ps] = (await ollama.ps()).models;
    assert.equal(new Date(ps!.expires_at).getTime(), now + 60_000);
    // Loading b evicts the idle a (one model at most).
    await ollama.generate({ model: "b", prompt: "", keep_alive: "2m" });
    assert.deepEqual(await names(), ["b:latest"]);
    // b's keep_alive runs out.
    now += 120_000;
    for (const t of [...timers]) {
      if (t.at > now) continue;
      timers.delete(t);
      t.fn();
    }
    for (let i = 0; i < 50 && (await names()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await names(), []);
  } finally {
    await srv.close();
  }
});
