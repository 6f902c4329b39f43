import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ollama } from "ollama";
import { addModel, chatmlTemplate, startServer, type TestServer } from "./helpers/server.js";
import { tinyModel } from "./helpers/models.js";

let server: TestServer;
let client: Ollama;

before(async () => {
  server = await startServer();
  client = new Ollama({ host: server.url });
  await addModel(server, "tiny", { template: chatmlTemplate });
});
after(() => server.close());

const sha = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

test("GET and HEAD / and /api/version", async () => {
  const root = await fetch(server.url);
  assert.equal(await root.text(), "Ollama is running");
  assert.equal((await fetch(server.url, { method: "HEAD" })).status, 200);
  // The Ollama release whose API tollama follows, not tollama's own 0.x: clients gate features on it.
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as {
    ollamaVersion: string;
  };
  const { version } = await client.version();
  assert.equal(version, pkg.ollamaVersion);
  assert.match(version, /^0\.(\d+)\.\d+$/);
  assert.ok(Number(/^0\.(\d+)/.exec(version)?.[1]) >= 13, version);
  const unknown = await fetch(`${server.url}/api/nothing`);
  assert.equal(unknown.status, 404);
  assert.equal(await unknown.text(), "404 page not found");
  const wrongMethod = await fetch(`${server.url}/api/tags`, { method: "POST" });
  assert.equal(wrongMethod.status, 405);
  // A trailing slash redirects as Gin does: 301 for GET, 307 (body kept) for the rest.
  const slash = await fetch(`${server.url}/api/tags/?x=1`, { redirect: "manual" });
  assert.deepEqual([slash.status, slash.headers.get("location")], [301, "/api/tags?x=1"]);
  assert.equal((await fetch(`${server.url}/api/tags/`)).status, 200);
  const post = await fetch(`${server.url}/api/show/`, { method: "POST", body: "{}", redirect: "manual" });
  assert.deepEqual([post.status, post.headers.get("location")], [307, "/api/show"]);
  assert.equal((await fetch(`${server.url}/api/nothing/`)).status, 404);
});

test("/api/status reports Ollama's cloud switches", async () => {
  const res = await fetch(`${server.url}/api/status`);
  assert.equal(res.status, 200);
  const source = server.config.cloudSource;
  assert.deepEqual(await res.json(), { cloud: { disabled: source !== "none", source } });
  const env = await startServer({ OLLAMA_NO_CLOUD: "1" });
  try {
    const body = (await (await fetch(`${env.url}/api/status`)).json()) as {
      cloud: { disabled: boolean; source: string };
    };
    assert.equal(body.cloud.disabled, true);
    assert.match(body.cloud.source, /^(env|both)$/);
  } finally {
    await env.close();
  }
});

/** A GET with a Host header of our choosing (fetch sets its own). */
function getWithHost(url: string, host: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: host, ...(origin ? { Origin: origin } : {}) };
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

test("a loopback-bound server refuses foreign Host headers (DNS rebinding), as Ollama does", async () => {
  const url = `${server.url}/api/version`;
  const port = new URL(server.url).port;
  assert.equal(await getWithHost(url, "evil.example"), 403);
  assert.equal(await getWithHost(url, `evil.example:${port}`), 403);
  assert.equal(await getWithHost(`${server.url}/api/tags`, "8.8.8.8"), 403);
  assert.equal(await getWithHost(url, `localhost:${port}`), 200);
  assert.equal(await getWithHost(url, `127.0.0.1:${port}`), 200);
  assert.equal(await getWithHost(url, "my-app.localhost"), 200);
  assert.equal(await getWithHost(url, "192.168.1.20"), 200);
  // An allowed origin does not open the door to a foreign Host.
  assert.equal(await getWithHost(url, "evil.example", "http://localhost"), 403);
});

test("CORS as gin-contrib/cors answers for Ollama: allowed origins, extensions opt-in, same origin, *", async () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/api/chat`, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
    });
  const ok = await preflight(server.url, "http://localhost:3000");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), "http://localhost:3000");
  assert.equal(
    ok.headers.get("vary"),
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  );
  assert.match(ok.headers.get("access-control-allow-headers") ?? "", /,Openai-Beta,X-Stainless-Arch,/);
  assert.equal((await preflight(server.url, "chrome-extension://abcdef")).status, 403);
  // the server's own address is not a cross-origin request, whatever OLLAMA_ORIGINS says
  const port = new URL(server.url).port;
  assert.equal(
    await getWithHost(`${server.url}/api/version`, `localhost:${port}`, `http://localhost:${port}`),
    200,
  );
  assert.equal(await getWithHost(`${server.url}/api/version`, "192.168.1.20", "http://192.168.1.20"), 200);
  const open = await startServer({ OLLAMA_ORIGINS: "*,chrome-extension://*" });
  try {
    const any = await fetch(`${open.url}/api/version`, { headers: { Origin: "http://example.com" } });
    assert.equal(any.headers.get("access-control-allow-origin"), "*");
  } finally {
    await open.close();
  }
});

test("/api/tags lists models with Ollama's fields", async () => {
  const { models } = await client.list();
  const tiny = models.find((m) => m.name === "tiny:latest");
  assert.ok(tiny);
  assert.equal(tiny.model, "tiny:latest");
  assert.match(tiny.digest, /^[0-9a-f]{64}$/);
  assert.ok(tiny.size > 0);
  assert.equal(tiny.details.format, "gguf");
  assert.ok(!Number.isNaN(new Date(tiny.modified_at).getTime()));
  // Read from the GGUF when the config does not record them, as Ollama's list does.
  const details = tiny.details as unknown as { context_length: number; embedding_length: number };
  assert.ok(details.context_length > 0, JSON.stringify(tiny.details));
  assert.ok(details.embedding_length > 0, JSON.stringify(tiny.details));
});

test("copy then delete; deleting removes unreferenced blobs", async () => {
  await client.copy({ source: "tiny", destination: "tiny-copy:v1" });
  assert.ok((await client.list()).models.some((m) => m.name === "tiny-copy:v1"));
  await client.delete({ model: "tiny-copy:v1" });
  assert.ok(!(await client.list()).models.some((m) => m.name === "tiny-copy:v1"));
  const missing = await fetch(`${server.url}/api/delete`, {
    method: "DELETE",
    body: JSON.stringify({ model: "tiny-copy:v1" }),
  });
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "model 'tiny-copy:v1' not found" });
  const unnamed = await fetch(`${server.url}/api/delete`, {
    method: "DELETE",
    body: JSON.stringify({ model: "" }),
  });
  assert.equal(unnamed.status, 400);
  assert.deepEqual(await unnamed.json(), { error: "model is required" });
  const badCopy = await fetch(`${server.url}/api/copy`, {
    method: "POST",
    body: JSON.stringify({ source: "nope", destination: "x" }),
  });
  assert.equal(badCopy.status, 404);
  assert.deepEqual(await badCopy.json(), { error: 'model "nope" not found' });
});

test("blobs: upload, verify, and reject bad or traversing digests", async () => {
  const data = Buffer.from("hello blob");
  const digest = sha(data);
  assert.equal((await fetch(`${server.url}/api/blobs/${digest}`, { method: "HEAD" })).status, 404);
  assert.equal(
    (await fetch(`${server.url}/api/blobs/${digest}`, { method: "POST", body: data })).status,
    201,
  );
  assert.equal((await fetch(`${server.url}/api/blobs/${digest}`, { method: "HEAD" })).status, 200);
  assert.equal(
    (await fetch(`${server.url}/api/blobs/${digest}`, { method: "POST", body: data })).status,
    200,
  );

  const other = sha("something else");
  const mismatch = await fetch(`${server.url}/api/blobs/${other}`, { method: "POST", body: data });
  assert.equal(mismatch.status, 400);
  assert.deepEqual(await mismatch.json(), { error: `digest mismatch, expected "${other}", got "${digest}"` });
  const blobs = await readdir(join(server.config.models, "blobs"));
  assert.ok(!blobs.some((b) => b.includes(other.slice(7))), "nothing left behind");
  assert.ok(
    blobs.every((b) => b.startsWith("sha256-")),
    `only blobs: ${blobs.join(",")}`,
  );

  for (const bad of ["sha256:1234", "sha256-..%2F..%2Fetc%2Fpasswd", "md5:abc", "..%2F..%2Fx"]) {
    const res = await fetch(`${server.url}/api/blobs/${bad}`, { method: "POST", body: data });
    assert.equal(res.status, 400, bad);
    assert.deepEqual(await res.json(), { error: "invalid digest format" }, bad);
  }
});

test("path traversal in model names is rejected", async () => {
  for (const name of ["../../etc/passwd", "a/../../b", "/abs/path"]) {
    const res = await fetch(`${server.url}/api/show`, {
      method: "POST",
      body: JSON.stringify({ model: name }),
    });
    assert.ok(res.status === 400 || res.status === 404, `${name}: ${res.status}`);
    const gen = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: name, prompt: "x" }),
    });
    assert.ok(gen.status === 400 || gen.status === 404, `${name}: ${gen.status}`);
  }
});

test("/api/ps reports the loaded model truthfully", async () => {
  await client.generate({ model: "tiny", prompt: "", keep_alive: "10m" });
  const { models } = await client.ps();
  const m = models.find((x) => x.name === "tiny:latest");
  assert.ok(m);
  assert.match(m.digest, /^[0-9a-f]{64}$/);
  assert.ok(m.size > 0);
  assert.equal(m.size_vram, 0);
  assert.equal((m as unknown as { context_length: number }).context_length >= 4096, true);
  const expires = new Date(m.expires_at).getTime();
  assert.ok(expires > Date.now() + 9 * 60_000 && expires < Date.now() + 11 * 60_000, String(m.expires_at));
  assert.equal(m.details.parent_model, "");
  // Its size counts the context's KV cache, as Ollama's does: a smaller num_ctx, a smaller size.
  await client.generate({ model: "tiny", prompt: "", options: { num_ctx: 512 }, keep_alive: -1 });
  const smaller = (await client.ps()).models.find((x) => x.name === "tiny:latest");
  assert.ok(smaller && smaller.size < m.size, `${smaller?.size} vs ${m.size}`);
  // Kept forever: Go's longest duration from now, about 292 years.
  assert.ok(new Date(smaller.expires_at).getUTCFullYear() >= 2300, String(smaller.expires_at));
  await client.generate({ model: "tiny", prompt: "", keep_alive: 0 });
});

test("/api/ps lists the model with the longest time left first", async () => {
  // Another file: models that share one are served by one runner.
  await addModel(server, "tiny-b", {
    gguf: await tinyModel({ overrides: { contextLength: 2048 } }),
    template: chatmlTemplate,
  });
  await client.generate({ model: "tiny", prompt: "", keep_alive: "1m" });
  await client.generate({ model: "tiny-b", prompt: "", keep_alive: "1h", options: { num_ctx: 2048 } });
  assert.deepEqual(
    (await client.ps()).models.map((x) => x.name),
    ["tiny-b:latest", "tiny:latest"],
  );
  await client.generate({ model: "tiny-b", prompt: "", keep_alive: 0 });
  await client.generate({ model: "tiny", prompt: "", keep_alive: 0 });
});

test("num_ctx over the model's trained context runs at the trained context, as in Ollama", async () => {
  const gguf = await tinyModel({ overrides: { contextLength: 1024 } });
  await addModel(server, "tiny-1k", { gguf, template: chatmlTemplate });
  const res = await client.generate({
    model: "tiny-1k",
    prompt: "hello",
    options: { num_ctx: 8192, num_predict: 2 },
    keep_alive: "1m",
  });
  assert.equal(res.done, true);
  const m = (await client.ps()).models.find((x) => x.name === "tiny-1k:latest");
  assert.equal((m as unknown as { context_length: number } | undefined)?.context_length, 1024);
  await client.generate({ model: "tiny-1k", prompt: "", keep_alive: 0 });
});

test("an empty store: /api/tags lists [] and /v1/models null, as Ollama's nil slice encodes", async () => {
  const empty = await startServer();
  try {
    assert.deepEqual(await (await fetch(`${empty.url}/api/tags`)).json(), { models: [] });
    assert.deepEqual(await (await fetch(`${empty.url}/v1/models`)).json(), { object: "list", data: null });
  } finally {
    await empty.close();
  }
});
