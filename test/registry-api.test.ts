import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import { addModel, chatmlTemplate, startServer, type TestServer } from "./helpers/server.js";
import { registrySkipReason, startRegistry, type RunningRegistry } from "./helpers/registry.js";

const skip = registrySkipReason();
let server: TestServer;
let registry: RunningRegistry;
let client: Ollama;

before(async () => {
  if (skip) return;
  registry = await startRegistry();
  server = await startServer();
  client = new Ollama({ host: server.url });
});
after(async () => {
  await server?.close();
  await registry?.stop();
});

test("push to a real registry, delete, pull back: same digest, and it generates", { skip }, async () => {
  const name = `${registry.host}/tests/tiny:v1`;
  await addModel(server, name, { template: chatmlTemplate, system: "be brief" });
  const before = (await client.list()).models.find((m) => m.name === name);
  assert.ok(before);

  const pushed: string[] = [];
  for await (const p of await client.push({ model: name, insecure: true, stream: true }))
    pushed.push(p.status);
  assert.equal(pushed.at(-1), "success");

  await client.delete({ model: name });
  assert.ok(!(await client.list()).models.some((m) => m.name === name));

  const pulled: Array<{ status: string; total?: number; completed?: number }> = [];
  for await (const p of await client.pull({ model: name, insecure: true, stream: true })) pulled.push(p);
  assert.equal(pulled[0]?.status, "pulling manifest");
  assert.ok(pulled.some((p) => p.status.startsWith("pulling ") && p.total !== undefined));
  assert.deepEqual(
    pulled.slice(-3).map((p) => p.status),
    ["verifying sha256 digest", "writing manifest", "success"],
  );

  const after = (await client.list()).models.find((m) => m.name === name);
  assert.equal(after?.digest, before.digest);
  const r = await client.generate({ model: name, prompt: "hi", stream: false, options: { num_predict: 4 } });
  assert.equal(r.done, true);
});

test("pulling an unknown model fails with an error, not a hang", { skip }, async () => {
  const res = await fetch(`${server.url}/api/pull`, {
    method: "POST",
    body: JSON.stringify({ model: `${registry.host}/tests/missing:v1`, insecure: true, stream: false }),
  });
  assert.ok(res.status >= 400);
  const body = (await res.json()) as { error?: string };
  assert.ok(body.error && body.error.length > 0);
});

test("invalid names are 400 before anything streams", { skip }, async () => {
  const res = await fetch(`${server.url}/api/pull`, {
    method: "POST",
    body: JSON.stringify({ model: "bad name!" }),
  });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { error: "invalid model name" });
});

test(
  "a push without a name is 'model is required'; transfer errors are 500s, as Ollama streams them",
  { skip },
  async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    assert.deepEqual(await post("/api/push", {}), { status: 400, body: { error: "model is required" } });
    assert.deepEqual(await post("/api/pull", { model: `http://${registry.host}/tests/m:v1` }), {
      status: 500,
      body: { error: "insecure protocol http" },
    });
  },
);
