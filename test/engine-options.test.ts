/**
 * OLLAMA_KV_CACHE_TYPE and OLLAMA_FLASH_ATTENTION against real llama.cpp: every cache type loads
 * and generates with flash attention on, off and unset. A quantized cache with flash attention
 * off is what llama.cpp refuses ("quantized V cache requires flash_attn"), so tollama loads f16
 * instead, as Ollama's runner did (the warning is checked in src/core/options.test.ts). Last, the
 * CPU latency request TOLLAMA_IDLE_POLL makes while a model decodes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { addModel, startServer, type TestServer } from "./helpers/server.js";
import { tinyModel } from "./helpers/models.js";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { idlePollAllowed } from "../src/engine/idle-poll.js";

/** Two heads of 32: quantized K/V blocks (32 values) must divide the head size. */
const model32 = () => tinyModel({ overrides: { heads: 2, kvHeads: 2 } });

async function generate(url: string, model = "m") {
  const res = await fetch(`${url}/api/generate`, {
    method: "POST",
    body: JSON.stringify({ model, prompt: "hello", stream: false, options: { num_predict: 3, seed: 1 } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** One server per setting: both are read from the environment at startup. */
async function withServer(
  env: Record<string, string>,
  gguf: string,
  run: (url: string, server: TestServer) => Promise<void>,
) {
  const server = await startServer({ OLLAMA_CONTEXT_LENGTH: "256", OLLAMA_NUM_PARALLEL: "1", ...env });
  try {
    await addModel(server, "m", { gguf });
    await run(server.url, server);
  } finally {
    await server.close();
  }
}

for (const type of ["f16", "q8_0", "q4_0"] as const) {
  for (const fa of ["1", "0", ""]) {
    const label = fa === "" ? "unset" : fa === "1" ? "on" : "off";
    test(`OLLAMA_KV_CACHE_TYPE=${type}, flash attention ${label}: loads and generates`, async () => {
      const env = { OLLAMA_KV_CACHE_TYPE: type, ...(fa === "" ? {} : { OLLAMA_FLASH_ATTENTION: fa }) };
      await withServer(env, await model32(), async (url, server) => {
        assert.equal(server.config.kvCacheType, fa === "0" ? "f16" : type);
        const r = await generate(url);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.done, true);
        assert.equal(r.body.eval_count, 3);
        const ps = (await (await fetch(`${url}/api/ps`)).json()) as { models: Array<{ name: string }> };
        assert.deepEqual(
          ps.models.map((m) => m.name),
          ["m:latest"],
        );
      });
    });
  }
}

// The rest of llama-server's types (Ollama passes any on), with flash attention on.
for (const type of ["f32", "bf16", "q4_1", "iq4_nl", "q5_0", "q5_1"] as const) {
  test(`OLLAMA_KV_CACHE_TYPE=${type}: loads and generates`, async () => {
    await withServer(
      { OLLAMA_KV_CACHE_TYPE: type, OLLAMA_FLASH_ATTENTION: "1" },
      await model32(),
      async (url, s) => {
        assert.equal(s.config.kvCacheType, type);
        const r = await generate(url);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.eval_count, 3);
      },
    );
  });
}

test("the cache type reaches llama.cpp: q8_0 on 16-wide heads is refused, f16 is not", async () => {
  // llama.cpp needs the head size to be a multiple of the quantized block; Ollama fails alike
  const gguf = await tinyModel();
  await withServer({ OLLAMA_KV_CACHE_TYPE: "q8_0", OLLAMA_FLASH_ATTENTION: "1" }, gguf, async (url) => {
    assert.equal((await generate(url)).status, 500);
  });
  await withServer({ OLLAMA_KV_CACHE_TYPE: "f16", OLLAMA_FLASH_ATTENTION: "1" }, gguf, async (url) => {
    assert.equal((await generate(url)).status, 200);
  });
});

test("embedding models ignore both settings: their pooled context has no generation cache", async () => {
  const gguf = await tinyModel({ overrides: { poolingType: 1 } });
  await withServer({ OLLAMA_KV_CACHE_TYPE: "q4_0", OLLAMA_FLASH_ATTENTION: "1" }, gguf, async (url) => {
    const res = await fetch(`${url}/api/embed`, {
      method: "POST",
      body: JSON.stringify({ model: "m", input: "hi" }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { embeddings: number[][] };
    assert.equal(body.embeddings[0]?.length, 64);
  });
});

/** Open descriptors of this process (the test server runs in it) on the CPU latency device. */
function latencyRequests(): number {
  if (!existsSync("/proc/self/fd")) return 0; // not Linux: no such device either
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === "/dev/cpu_dma_latency";
    } catch {
      return false;
    }
  }).length;
}

/** Waits (up to 10 s) until this process holds no latency request; fails if one is still held. */
async function requestsGone(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (latencyRequests() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(latencyRequests(), 0);
}

test(
  "TOLLAMA_IDLE_POLL=1: a 0 µs CPU latency request is held while the model decodes, and let go after",
  { skip: idlePollAllowed() ? false : "needs a writable /dev/cpu_dma_latency (Linux, root)" },
  async () => {
    // servers of the tests before (auto polls on a KVM guest with halt polling off) let go of theirs
    await requestsGone();
    await withServer({ TOLLAMA_IDLE_POLL: "1" }, await tinyModel(), async (url) => {
      const res = await fetch(`${url}/api/generate`, {
        method: "POST",
        body: JSON.stringify({ model: "m", prompt: "hello", options: { num_predict: 100000, seed: 1 } }),
      });
      const reader = res.body!.getReader();
      await reader.read(); // the first token: the loop is decoding
      assert.equal(latencyRequests(), 1);
      // the kernel's answer is the strictest request held, ours
      assert.equal(readFileSync("/dev/cpu_dma_latency").readInt32LE(0), 0);
      await reader.cancel(); // the client leaves: generation stops, the loop ends
      await requestsGone();
    });
  },
);

test("TOLLAMA_IDLE_POLL=0: no request is made", async () => {
  await requestsGone();
  await withServer({ TOLLAMA_IDLE_POLL: "0" }, await tinyModel(), async (url) => {
    assert.equal((await generate(url)).status, 200);
    assert.equal(latencyRequests(), 0);
  });
});
