import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { NdjsonWriter } from "./http.js";

/** A server whose every response streams `lines` objects, one per event-loop turn. */
async function streaming(lines: number): Promise<Server> {
  const server = createServer((req, res) => {
    const out = new NdjsonWriter(res);
    let i = 0;
    const next = () => {
      if (i === lines) return out.end();
      out.write({ path: req.url, i: i++, text: "héllo\n" });
      setImmediate(next);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Sends `raw` on one connection (without closing its side) and returns all the server sends until it closes. */
function exchange(server: Server, raw: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function expectedLine(path: string, i: number): string {
  return `${JSON.stringify({ path, i, text: "héllo\n" })}\n`;
}

test("each streamed line is one HTTP chunk, and the chunked body ends properly", async (t) => {
  const server = await streaming(3);
  t.after(() => server.close());
  const reply = await exchange(server, "POST /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const head = reply.slice(0, reply.indexOf("\r\n\r\n"));
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head, /\r\nTransfer-Encoding: chunked/i);
  let expected = "";
  for (let i = 0; i < 3; i++) {
    const line = expectedLine("/a", i);
    expected += `${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`;
  }
  assert.equal(reply.slice(head.length + 4), `${expected}0\r\n\r\n`);
});

test("an HTTP/1.0 client gets the lines unframed", async (t) => {
  const server = await streaming(3);
  t.after(() => server.close());
  const reply = await exchange(server, "POST /b HTTP/1.0\r\nHost: x\r\n\r\n");
  const body = reply.slice(reply.indexOf("\r\n\r\n") + 4);
  assert.doesNotMatch(reply, /Transfer-Encoding/i);
  assert.equal(body, [0, 1, 2].map((i) => expectedLine("/b", i)).join(""));
});

test("pipelined requests on one connection get whole responses, in order", async (t) => {
  const server = await streaming(4);
  t.after(() => server.close());
  const request = (path: string, last: boolean) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${last ? "Connection: close\r\n" : ""}Content-Length: 0\r\n\r\n`;
  const reply = await exchange(server, request("/first", false) + request("/second", true));
  const responses = reply.split(/(?=HTTP\/1\.1 200 OK\r\n)/);
  assert.equal(responses.length, 2);
  for (const [k, path] of ["/first", "/second"].entries()) {
    const text = responses[k] ?? "";
    const body = text.slice(text.indexOf("\r\n\r\n") + 4);
    assert.equal(dechunk(body), [0, 1, 2, 3].map((i) => expectedLine(path, i)).join(""));
  }
});

test("a client that leaves mid-stream closes the writer without an error", async (t) => {
  let writer: NdjsonWriter | undefined;
  const closed = new Promise<void>((resolve) => {
    const server = createServer((_req, res) => {
      writer = new NdjsonWriter(res);
      writer.write({ first: true });
      writer.signal.addEventListener("abort", () => {
        // writes after the client left are dropped, not thrown
        writer?.write({ late: true });
        writer?.end();
        resolve();
      });
    });
    t.after(() => server.close());
    server.listen(0, "127.0.0.1", () => {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1", () =>
        socket.write("POST / HTTP/1.1\r\nHost: x\r\n\r\n"),
      );
      socket.once("data", () => socket.destroy());
    });
  });
  await closed;
  assert.equal(writer?.closed, true);
});

/** The payload of a chunked body, checking every chunk's size and its terminator. */
function dechunk(body: string): string {
  const bytes = Buffer.from(body, "utf8");
  let out = "";
  let at = 0;
  for (;;) {
    const eol = bytes.indexOf("\r\n", at);
    const size = parseInt(bytes.subarray(at, eol).toString("latin1"), 16);
    at = eol + 2;
    if (size === 0) {
      assert.equal(bytes.subarray(at).toString("latin1"), "\r\n");
      return out;
    }
    out += bytes.subarray(at, at + size).toString("utf8");
    assert.equal(bytes.subarray(at + size, at + size + 2).toString("latin1"), "\r\n");
    at += size + 2;
  }
}
