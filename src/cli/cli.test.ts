// The commands end to end against a stand-in HTTP server: real sockets, real NDJSON, real
// blob uploads; the server's answers are scripted.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { runCli, normalizeArgv } from "./main.js";
import { MemoryOutput, type Input } from "./io.js";
import { NOT_RUNNING } from "./client.js";

const scratch: string[] = [];
after(() => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tollama-create-"));
  scratch.push(dir);
  return dir;
}

interface Seen {
  method: string;
  url: string;
  body: string;
}

const seen: Seen[] = [];
const blobs = new Map<string, Buffer>();
let server: Server;
let host = "";
const NOW = Date.parse("2025-01-10T12:00:00Z");

const ndjson = (res: ServerResponse, lines: object[]): void => {
  res.writeHead(200, { "Content-Type": "application/x-ndjson" });
  for (const l of lines) res.write(`${JSON.stringify(l)}\n`);
  res.end();
};

const json = (res: ServerResponse, status: number, body: object): void => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

const KNOWN = new Set(["llama3.2:latest", "llama3.2"]);

function route(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  const body = raw.toString("utf8");
  const url = req.url ?? "";
  const parsed = (): Record<string, unknown> => (body ? (JSON.parse(body) as Record<string, unknown>) : {});
  const blob = /^\/api\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url);
  if (blob) {
    const digest = blob[1] as string;
    if (req.method === "HEAD") return void res.writeHead(blobs.has(digest) ? 200 : 404).end();
    const actual = `sha256:${createHash("sha256").update(raw).digest("hex")}`;
    if (actual !== digest) return json(res, 400, { error: "digest mismatch" });
    blobs.set(digest, raw);
    return void res.writeHead(201).end();
  }
  switch (`${req.method} ${url}`) {
    case "HEAD /":
      return void res.writeHead(200).end();
    case "GET /api/version":
      return json(res, 200, { version: "0.12.6" });
    case "GET /api/tags":
      return json(res, 200, {
        models: [
          {
            name: "llama3.2:latest",
            model: "llama3.2:latest",
            digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
            size: 2019393189,
            modified_at: "2025-01-10T10:00:00Z",
          },
        ],
      });
    case "GET /api/ps":
      return json(res, 200, { models: [] });
    case "POST /api/show": {
      const { model } = parsed();
      if (!KNOWN.has(String(model))) return json(res, 404, { error: `model '${String(model)}' not found` });
      return json(res, 200, {
        details: { family: "llama", parameter_size: "3.2B", quantization_level: "Q4_K_M" },
        capabilities: ["completion"],
        modelfile: "# Modelfile\nFROM x\n",
      });
    }
    case "POST /api/copy":
    case "DELETE /api/delete":
      return void res.writeHead(200).end();
    case "POST /api/create":
      return ndjson(res, [
        { status: "using existing layer sha256:aaa" },
        { status: "writing manifest" },
        { status: "success" },
      ]);
    case "POST /api/pull":
      return ndjson(res, [
        { status: "pulling manifest" },
        {
          status: "pulling 6a0746a1ec1a",
          digest: "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa",
          total: 2000,
          completed: 0,
        },
        {
          status: "pulling 6a0746a1ec1a",
          digest: "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa",
          total: 2000,
          completed: 2000,
        },
        { status: "verifying sha256 digest" },
        { status: "writing manifest" },
        { status: "success" },
      ]);
    case "POST /api/generate": {
      const { model, prompt } = parsed();
      if (!KNOWN.has(String(model))) return json(res, 404, { error: `model '${String(model)}' not found` });
      if (!prompt) return ndjson(res, [{ model, response: "", done: true }]);
      return ndjson(res, [
        { model, response: "Hello" },
        { model, response: " world" },
        {
          model,
          response: "",
          done: true,
          total_duration: 1_500_000_000,
          load_duration: 2_000_000,
          prompt_eval_count: 10,
          prompt_eval_duration: 50_000_000,
          eval_count: 20,
          eval_duration: 400_000_000,
        },
      ]);
    }
    default:
      return json(res, 404, { error: "404 page not found" });
  }
}

void before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      seen.push({ method: req.method ?? "", url: req.url ?? "", body: raw.toString("utf8") });
      route(req, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  host = typeof addr === "object" && addr ? `127.0.0.1:${addr.port}` : "";
});

void after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const tty: Input = Object.assign(Readable.from([]), { isTTY: true });

async function cli(argv: string[], opts: { stdin?: Input; host?: string; cwd?: string } = {}) {
  const stdout = new MemoryOutput(false);
  const stderr = new MemoryOutput(false);
  const code = await runCli(argv, {
    io: { stdout, stderr, stdin: opts.stdin ?? tty },
    env: { OLLAMA_HOST: opts.host ?? host },
    now: () => NOW,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

void test("list prints Ollama's table", async () => {
  const r = await cli(["list"]);
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    "NAME               ID              SIZE      MODIFIED    \nllama3.2:latest    a80c4f17acd5    2.0 GB    2 hours ago    \n",
  );
  assert.equal((await cli(["ls"])).stdout, r.stdout);
});

void test("ps with nothing loaded prints the header", async () => {
  assert.equal((await cli(["ps"])).stdout, "NAME    ID    SIZE    PROCESSOR    CONTEXT    UNTIL \n");
});

async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const addr = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof addr === "object" && addr ? `127.0.0.1:${addr.port}` : "";
}

void test("a server that isn't running is reported clearly", async () => {
  const r = await cli(["list"], { host: await closedPort() });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error: ${NOT_RUNNING}\n`);
});

void test("server errors print as Error: <message>", async () => {
  const r = await cli(["show", "missing"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: model 'missing' not found\n");
});

void test("argument count errors use cobra's words", async () => {
  assert.equal((await cli(["create"])).stderr, "Error: accepts 1 arg(s), received 0\n");
  assert.equal((await cli(["cp", "a"])).stderr, "Error: accepts 2 arg(s), received 1\n");
  assert.equal((await cli(["rm"])).stderr, "Error: requires at least 1 arg(s), only received 0\n");
  const unknown = await cli(["frobnicate"]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'Error: unknown command "frobnicate" for "tollama"\n');
});

void test("show --modelfile prints the field; two field flags are refused", async () => {
  assert.equal((await cli(["show", "llama3.2", "--modelfile"])).stdout, "# Modelfile\nFROM x\n\n");
  const both = await cli(["show", "llama3.2", "--modelfile", "--license"]);
  assert.match(both.stderr, /only one of '--license', '--modelfile'/);
});

void test("cp, rm and stop", async () => {
  assert.equal((await cli(["cp", "llama3.2", "mine"])).stdout, "copied 'llama3.2' to 'mine'\n");
  seen.length = 0;
  assert.equal((await cli(["rm", "llama3.2"])).stdout, "deleted 'llama3.2'\n");
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url}`),
    ["HEAD /", "POST /api/show", "POST /api/generate", "DELETE /api/delete"],
  );
  assert.deepEqual(JSON.parse(seen[2]?.body ?? ""), { model: "llama3.2", keep_alive: 0 });
  assert.equal((await cli(["stop", "llama3.2"])).code, 0);
  assert.equal((await cli(["stop", "nope"])).stderr, 'Error: couldn\'t find model "nope" to stop\n');
});

void test("run with a prompt streams the answer; --verbose prints timings", async () => {
  const r = await cli(["run", "llama3.2", "Say", "hi", "--verbose", "--keepalive", "10m"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Hello world\n\n");
  assert.equal(
    r.stderr,
    [
      "total duration:       1.5s",
      "load duration:        2ms",
      "prompt eval count:    10 token(s)",
      "prompt eval duration: 50ms",
      "prompt eval rate:     200.00 tokens/s",
      "eval count:           20 token(s)",
      "eval duration:        400ms",
      "eval rate:            50.00 tokens/s",
      "",
    ].join("\n"),
  );
  const req = JSON.parse(seen.filter((s) => s.url === "/api/generate").at(-1)?.body ?? "") as Record<
    string,
    unknown
  >;
  assert.deepEqual(req, { model: "llama3.2", prompt: "Say hi", keep_alive: "10m0s" });
});

void test("run reads piped stdin before the prompt words", async () => {
  const stdin = Object.assign(Readable.from([Buffer.from("piped text")]), { isTTY: false });
  const r = await cli(["run", "llama3.2", "--format", "json", "--think", "summarize"], { stdin });
  assert.equal(r.stdout, "Hello world\n\n");
  const req = JSON.parse(seen.filter((s) => s.url === "/api/generate").at(-1)?.body ?? "") as Record<
    string,
    unknown
  >;
  assert.deepEqual(req, { model: "llama3.2", prompt: "piped text summarize", format: "json", think: true });
});

void test("run rejects a bad --think and a bad --keepalive", async () => {
  assert.match(
    (await cli(["run", "llama3.2", "--think=maybe", "x"])).stderr,
    /invalid value for --think: "maybe"/,
  );
  assert.equal(
    (await cli(["run", "llama3.2", "--keepalive", "5", "x"])).stderr,
    'Error: time: missing unit in duration "5"\n',
  );
});

void test("create uploads missing blobs, then sends the create request", async () => {
  const dir = await scratchDir();
  const weights = Buffer.from("GGUF fake weights for a test");
  await writeFile(path.join(dir, "m.gguf"), weights);
  await writeFile(
    path.join(dir, "Modelfile"),
    "FROM ./m.gguf\nPARAMETER temperature 0.5\nPARAMETER stop <|a|>\nPARAMETER stop <|b|>\nSYSTEM hi\nLICENSE MIT\nMESSAGE user hello\n",
  );
  const digest = `sha256:${createHash("sha256").update(weights).digest("hex")}`;
  seen.length = 0;
  const r = await cli(["create", "mine", "-f", path.join(dir, "Modelfile")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    `gathering model components\ncopying file ${digest.slice(0, 19)} 100% 28 B\nusing existing layer sha256:aaa\nwriting manifest\nsuccess\n`,
  );
  assert.deepEqual(blobs.get(digest), weights);
  const create = JSON.parse(seen.find((s) => s.url === "/api/create")?.body ?? "") as Record<string, unknown>;
  assert.deepEqual(create, {
    model: "mine",
    files: { "m.gguf": digest },
    system: "hi",
    license: ["MIT"],
    parameters: { temperature: 0.5, stop: ["<|a|>", "<|b|>"] },
    messages: [{ role: "user", content: "hello" }],
    stream: true,
  });

  // The blob is there now: no second upload.
  seen.length = 0;
  await cli(["create", "mine", "-f", path.join(dir, "Modelfile")]);
  assert.ok(!seen.some((s) => s.method === "POST" && s.url.startsWith("/api/blobs/")));
});

void test("create from an existing model sends `from`; default Modelfile is read from the folder", async () => {
  const dir = await scratchDir();
  await writeFile(path.join(dir, "Modelfile"), "FROM llama3.2\nTEMPLATE {{ .Prompt }}\n");
  seen.length = 0;
  const r = await cli(["create", "mine"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const create = JSON.parse(seen.find((s) => s.url === "/api/create")?.body ?? "") as Record<string, unknown>;
  assert.deepEqual(create, { model: "mine", from: "llama3.2", template: "{{ .Prompt }}", stream: true });
});

void test("create reports Modelfile errors with their line", async () => {
  const dir = await scratchDir();
  await writeFile(path.join(dir, "Modelfile"), "FROM x\nBOGUS y\n");
  const r = await cli(["create", "mine"], { cwd: dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: \(line 2\): command must be one of "from"/);
  assert.equal(
    (await cli(["create", "mine", "-f", "nope"], { cwd: dir })).stderr,
    "Error: specified Modelfile wasn't found\n",
  );
  assert.equal(
    (await cli(["create", "bad name"], { cwd: dir })).stderr,
    "Error: invalid model name: bad name\n",
  );
  await writeFile(path.join(dir, "Modelfile"), "FROM x\nPARAMETER num_ctx lots\n");
  assert.equal(
    (await cli(["create", "mine"], { cwd: dir })).stderr,
    "gathering model components\nError: invalid int value [lots]\n",
  );
  await writeFile(path.join(dir, "Modelfile"), "FROM x\nADAPTER ./missing.gguf\n");
  assert.equal(
    (await cli(["create", "mine"], { cwd: dir })).stderr,
    `gathering model components\nError: stat ${path.join(dir, "missing.gguf")}: no such file or directory\n`,
  );
});

void test("pull shows statuses and finished layers as plain lines off a terminal", async () => {
  const r = await cli(["pull", "llama3.2"]);
  assert.equal(r.code, 0);
  assert.equal(
    r.stderr,
    "pulling manifest\npulling 6a0746a1ec1a: 100% 2 KB\nverifying sha256 digest\nwriting manifest\nsuccess\n",
  );
});

void test("version prints the server's and the client's", async () => {
  const r = await cli(["--version"]);
  assert.match(
    r.stdout,
    /^server version is 0\.12\.6\nWarning: client version is \d+\.\d+\.\d+ \(Ollama API \d+\.\d+\.\d+\)\n$/,
  );
  assert.equal((await cli(["version"])).stdout, r.stdout);
  const down = await cli(["-v"], { host: await closedPort() });
  assert.match(
    down.stdout,
    /^Warning: could not connect to a running tollama instance\nWarning: client version is /,
  );
});

void test("a bare --think doesn't swallow the prompt", () => {
  assert.deepEqual(normalizeArgv(["run", "m", "--think", "hi"]), ["run", "m", "--think=true", "hi"]);
});

void test("help names a command's help, as cobra's help command; serve's lists its variables", async () => {
  const serve = await cli(["help", "serve"]);
  assert.equal(serve.code, 0);
  assert.match(serve.stdout, /Environment Variables:\n {6}OLLAMA_DEBUG {16}/);
  assert.match(serve.stdout, /OLLAMA_LOAD_TIMEOUT/);
  assert.equal((await cli(["serve", "--help"])).stdout, serve.stdout);
  const unknown = await cli(["help", "nope"]);
  assert.equal(unknown.code, 0);
  assert.match(unknown.stdout, /^Unknown help topic \[`nope`\]\nUsage: tollama/);
});
