import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { Readable } from "node:stream";
import { nodeFetch } from "./http.js";

let server: Server;
let base = "";

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/echo") {
        res.writeHead(201, { "X-Len": req.headers["content-length"] ?? "" });
        res.end(Buffer.concat(chunks));
      } else if (req.url === "/slow") {
        res.writeHead(200, { "Content-Type": "application/x-ndjson" });
        res.write('{"n":1}\n');
        const t = setInterval(() => res.write('{"n":2}\n'), 20);
        res.on("close", () => clearInterval(t));
      } else {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end(req.method === "HEAD" ? undefined : "404 page not found");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

void test("string and streamed bodies, status and headers", async () => {
  const a = await nodeFetch(`${base}/echo`, { method: "POST", body: "hello" });
  assert.equal(a.status, 201);
  assert.equal(a.headers.get("x-len"), "5");
  assert.equal(await a.text(), "hello");
  const b = await nodeFetch(`${base}/echo`, {
    method: "POST",
    body: Readable.toWeb(Readable.from([Buffer.from("ab"), Buffer.from("cd")])) as ReadableStream<Uint8Array>,
    headers: { "Content-Length": "4" },
    duplex: "half",
  });
  assert.equal(await b.text(), "abcd");
});

void test("error statuses keep their body; HEAD has none", async () => {
  const r = await nodeFetch(`${base}/missing`);
  assert.equal(r.status, 404);
  assert.equal(await r.text(), "404 page not found");
  const h = await nodeFetch(`${base}/missing`, { method: "HEAD" });
  assert.equal(h.status, 404);
  assert.equal(await h.text(), "");
});

void test("aborting mid-body fails the reader with an AbortError", async () => {
  const controller = new AbortController();
  const res = await nodeFetch(`${base}/slow`, { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  controller.abort();
  await assert.rejects(
    async () => {
      for (;;) if ((await reader.read()).done) break;
    },
    { name: "AbortError" },
  );
});

void test("a refused connection is fetch's TypeError with the cause", async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const addr = probe.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  await new Promise<void>((r) => probe.close(() => r()));
  await assert.rejects(
    nodeFetch(`http://127.0.0.1:${port}/`),
    (err: Error & { cause?: { code?: string } }) => {
      assert.equal(err.name, "TypeError");
      assert.equal(err.cause?.code, "ECONNREFUSED");
      return true;
    },
  );
});
