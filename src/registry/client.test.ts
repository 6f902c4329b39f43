import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { RegistryClient } from "./client.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

after(() => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
});

describe("RegistryClient", () => {
  it("answers a Basic challenge with configured credentials only", async () => {
    const host = await serve((req, res) => {
      if (req.headers.authorization === "Basic dTpw") return res.end("ok");
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"' }).end();
    });
    const url = new URL(`http://${host}/v2/`);
    const ok = await new RegistryClient({ credentials: { username: "u", password: "p" } }).request(
      "GET",
      url,
    );
    assert.equal(ok.status, 200);
    ok.body.resume();
    await assert.rejects(new RegistryClient().request("GET", url), {
      message: "unauthorized: access denied",
    });
  });

  it("gives up with Ollama's unauthorized error when a fresh token is refused too", async () => {
    let tokens = 0;
    const host: string = await serve((req, res) => {
      if (req.url?.startsWith("/token")) {
        tokens++;
        return res.end('{"access_token":"t"}');
      }
      res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${host}/token",service="s"` }).end();
    });
    await assert.rejects(new RegistryClient().request("GET", new URL(`http://${host}/v2/x/y/manifests/z`)), {
      message: "unauthorized: access denied",
    });
    assert.equal(tokens, 2);
  });

  it("words errors as '<code>: <body>' and 404 as Go's ErrNotExist", async () => {
    const host = await serve((req, res) => {
      if (req.url === "/missing") return res.writeHead(404).end("nope");
      res.writeHead(500).end('{"errors":[]}');
    });
    const c = new RegistryClient();
    await assert.rejects(c.request("GET", new URL(`http://${host}/missing`)), {
      message: "file does not exist",
    });
    await assert.rejects(c.request("GET", new URL(`http://${host}/x`)), { message: '500: {"errors":[]}' });
  });

  it("keeps Authorization on same-host redirects and drops it for other hosts", async () => {
    const seen: Array<string | undefined> = [];
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.end("blob");
    });
    const host: string = await serve((req, res) => {
      if (req.url === "/a") return res.writeHead(302, { Location: "/b" }).end();
      if (req.url === "/b") {
        seen.push(req.headers.authorization);
        return res.writeHead(307, { Location: `http://${other}/c` }).end();
      }
      res.writeHead(404).end();
    });
    const res = await new RegistryClient({ token: "secret" }).request("GET", new URL(`http://${host}/a`));
    res.body.resume();
    assert.deepEqual(seen, ["Bearer secret", undefined]);
  });
});
