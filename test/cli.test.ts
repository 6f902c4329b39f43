// The `tollama` command line end to end: a real `tollama serve` child process over a temporary
// model store, and each command spawned as a user would type it, with OLLAMA_HOST set.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureModel } from "../src/gguf/cache.js";
import { presetSpec, writeRandomModel } from "../src/gguf/index.js";
import { writeCheckpoint, writeLora } from "./helpers/checkpoint.js";
import { freePort, killAll, startServe, tollama, type CliResult, type ServeProcess } from "./cli-helpers.js";

let dir: string;
let server: ServeProcess;
let env: NodeJS.ProcessEnv;
let ggufDigest: string;

const TEMPLATE =
  "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n";

// num_predict keeps random-weight answers short; temperature/seed make them repeatable.
const MODELFILE = `# a comment
FROM ./weights/tiny.gguf
PARAMETER temperature 0.5
PARAMETER seed 42
PARAMETER num_predict 8
PARAMETER num_ctx 512
PARAMETER stop "<|im_end|>"
PARAMETER stop "<|endoftext|>"
TEMPLATE """${TEMPLATE}"""
SYSTEM You are terse.
MESSAGE user hi
MESSAGE assistant """hello there"""
LICENSE """MIT License
Copyright (c) tollama"""
`;

const run = (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> =>
  tollama(args, { ...opts, env: { ...env, ...opts.env } });

/** Exit 0, nothing on stderr unless allowed; a failure prints what the command printed. */
function ok(r: CliResult, allowStderr = false): void {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, 0, info);
  if (!allowStderr) assert.equal(r.stderr, "", info);
}

/** Exit 1 with exactly one `Error: ...` line (no stack trace) on stderr. */
function fails(r: CliResult, message: string | RegExp): void {
  const info = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.equal(r.code, 1, info);
  const last = r.stderr.trimEnd().split("\n").at(-1) ?? "";
  if (typeof message === "string") assert.equal(last, `Error: ${message}`, info);
  else assert.match(last, message, info);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace printed:\n${r.stderr}`);
}

/** Table rows (split on runs of 2+ spaces) of list/ps output, header excluded. */
function rows(stdout: string): string[][] {
  return stdout
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.trim().split(/\s{2,}/));
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tollama-cli-"));
  const gguf = await ensureModel("tiny");
  await mkdir(path.join(dir, "weights"));
  await copyFile(gguf, path.join(dir, "weights", "tiny.gguf"));
  ggufDigest = createHash("sha256")
    .update(await readFile(gguf))
    .digest("hex");
  await writeFile(path.join(dir, "Modelfile"), MODELFILE);
  server = await startServe({ OLLAMA_MODELS: path.join(dir, "models"), OLLAMA_KEEP_ALIVE: "5m" });
  env = { OLLAMA_HOST: server.host };
});

after(async () => {
  try {
    await server?.stop("SIGTERM");
  } finally {
    killAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
});

describe("version", () => {
  test("--version, -v and version print the server's version", async () => {
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
      ollamaVersion: string;
    };
    const all = [["--version"], ["-v"], ["version"]];
    const results = await Promise.all(all.map((args) => run(args)));
    for (const [i, r] of results.entries()) {
      ok(r);
      assert.equal(
        r.stdout,
        `tollama version is ${pkg.version} (Ollama API ${pkg.ollamaVersion})\n`,
        all[i]?.join(" "),
      );
    }
  });
});

describe("create", () => {
  test("from a Modelfile with a relative GGUF path: uploads the blob, then creates", async () => {
    const r = await run(["create", "tiny-chat", "-f", path.join(dir, "Modelfile")]);
    ok(r, true);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /gathering model components/);
    assert.match(r.stderr, new RegExp(`copying file sha256:${ggufDigest.slice(0, 12)}.*100%`));
    assert.match(r.stderr, /writing manifest/);
    assert.match(r.stderr, /success/);
    const blob = await readFile(path.join(dir, "models", "blobs", `sha256-${ggufDigest}`));
    assert.equal(createHash("sha256").update(blob).digest("hex"), ggufDigest);
  });

  test("a second create skips the upload (HEAD /api/blobs) and reuses the layer", async () => {
    // A relative -f resolves against the working directory.
    const r = await tollama(["create", "tiny-again", "-f", "Modelfile"], { env, cwd: dir });
    ok(r, true);
    assert.doesNotMatch(r.stderr, /copying file/);
    assert.match(r.stderr, /using existing layer sha256:/);
    assert.match(r.stderr, /success/);
  });

  test("FROM an existing model", async () => {
    const mf = path.join(dir, "Derived");
    await writeFile(mf, "FROM tiny-chat\nSYSTEM Derived system.\n");
    ok(await run(["create", "derived", "-f", mf]), true);
    const r = await run(["show", "derived", "--system"]);
    ok(r);
    assert.equal(r.stdout, "Derived system.");
    const p = await run(["show", "derived", "--parameters"]);
    assert.match(p.stdout, /^num_predict\s+8$/m);
  });

  test("FROM a safetensors folder: its files are uploaded and the server converts them", async () => {
    const f16 = path.join(dir, "f16.gguf");
    await writeRandomModel(f16, presetSpec("tiny", { arch: "llama", quant: "F16", qkvBias: false }));
    await writeCheckpoint(f16, path.join(dir, "hf-llama"));
    await writeFile(path.join(dir, "FromFolder"), "FROM ./hf-llama\nPARAMETER num_predict 4\n");
    const r = await run(["create", "from-folder", "-f", path.join(dir, "FromFolder")]);
    ok(r, true);
    assert.match(r.stderr, /copying file sha256:/);
    assert.match(r.stderr, /converting model/);
    assert.match(r.stderr, /success/);
    const show = await run(["show", "from-folder"]);
    ok(show);
    assert.match(show.stdout, /architecture\s+llama/);
    assert.match(show.stdout, /quantization\s+F16/);
    ok(await run(["run", "from-folder", "hi"]));
  });

  test("ADAPTER a PEFT folder: its files are uploaded and converted for the base model", async () => {
    await writeLora(path.join(dir, "hf-llama"), path.join(dir, "lora"), 4, 8);
    await writeFile(path.join(dir, "WithAdapter"), "FROM from-folder\nADAPTER ./lora\n");
    const r = await run(["create", "with-adapter", "-f", path.join(dir, "WithAdapter")]);
    ok(r, true);
    assert.match(r.stderr, /converting adapter/);
    assert.match(r.stderr, /success/);
    const show = await run(["show", "with-adapter", "--modelfile"]);
    ok(show);
    assert.match(show.stdout, /^ADAPTER /m);
    ok(await run(["run", "with-adapter", "hi"]));
  });

  test("bad Modelfiles: Ollama's errors, with line numbers, exit 1", async () => {
    const cases: [string, string][] = [
      [
        "FROM ./weights/tiny.gguf\nBOGUS x\n",
        `(line 2): command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"`,
      ],
      [
        "FROM ./weights/tiny.gguf\n\nMESSAGE robot hi\n",
        `(line 3): message role must be one of "system", "user", or "assistant"`,
      ],
      ["FROM ./weights/tiny.gguf\nPARAMETER temperature\n", "(line 2): unexpected EOF: temperature"],
      ["SYSTEM hi\n", "no FROM line"],
      ["FROM ./weights/tiny.gguf\nPARAMETER temperature abc\n", "invalid float value [abc]"],
      ["FROM ./weights/tiny.gguf\nPARAMETER nonsense 1\n", "unknown parameter 'nonsense'"],
    ];
    // Independent commands, run side by side to keep the suite fast.
    await Promise.all([
      ...cases.map(async ([text, message], i) => {
        const mf = path.join(dir, `Bad${i}`);
        await writeFile(mf, text);
        fails(await run(["create", "bad", "-f", mf]), message);
      }),
      run(["create", "bad", "-f", path.join(dir, "missing")]).then((r) =>
        fails(r, "specified Modelfile wasn't found"),
      ),
      run(["create", "bad/name/x/y", "-f", path.join(dir, "Modelfile")]).then((r) =>
        fails(r, /^Error: invalid model name/),
      ),
    ]);
    const list = await run(["list"]);
    assert.doesNotMatch(list.stdout, /^bad/m);
  });

  test("FROM a missing file or model is the server's error", async () => {
    const mf = path.join(dir, "Missing");
    await writeFile(mf, "FROM no-such-model\n");
    // A model not in the store is pulled first, as Ollama does: offline, the pull's error.
    fails(
      await run(["create", "bad", "-f", mf]),
      /^Error: .*(not found|does not exist|no such|pull model manifest)/i,
    );
  });
});

describe("list", () => {
  test("list and ls show Ollama's table", async () => {
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as {
      models: { name: string; digest: string }[];
    };
    for (const cmd of ["list", "ls"]) {
      const r = await run([cmd]);
      ok(r);
      const [header] = r.stdout.split("\n");
      assert.match(header ?? "", /^NAME\s+ID\s+SIZE\s+MODIFIED\s*$/);
      const table = rows(r.stdout);
      const names = table.map((row) => row[0]);
      assert.ok(names.includes("tiny-chat:latest"), r.stdout);
      for (const row of table) {
        const tag = tags.models.find((m) => m.name === row[0]);
        assert.ok(tag, `${row[0]} not in /api/tags`);
        assert.equal(row[1], tag.digest.slice(0, 12));
        assert.match(row[2] ?? "", /^\d+(\.\d+)? (B|KB|MB|GB)$/);
        assert.match(row[3] ?? "", /(ago|now)$/);
      }
    }
  });

  test("a prefix filters the rows", async () => {
    const r = await run(["ls", "TINY-A"]);
    ok(r);
    assert.deepEqual(
      rows(r.stdout).map((row) => row[0]),
      ["tiny-again:latest"],
    );
  });
});

describe("show", () => {
  test("the summary", async () => {
    const r = await run(["show", "tiny-chat"]);
    ok(r);
    for (const re of [
      /^ {2}Model$/m,
      /^ {4}architecture\s+qwen2\s*$/m,
      /^ {4}context length\s+\d+\s*$/m,
      /^ {4}quantization\s+Q8_0\s*$/m,
      /^ {2}Capabilities$/m,
      /^ {4}completion\s*$/m,
      /^ {2}Parameters$/m,
      /^ {4}temperature\s+0\.5\s*$/m,
      /^ {4}stop\s+"<\|im_end\|>"\s*$/m,
      /^ {2}System$/m,
      /^ {4}You are terse\.\s*$/m,
      /^ {2}License$/m,
      /^ {4}MIT License\s*$/m,
    ]) {
      assert.match(r.stdout, re);
    }
  });

  test("--modelfile, --parameters, --template, --system, --license", async () => {
    const mf = await run(["show", "tiny-chat", "--modelfile"]);
    ok(mf);
    assert.match(mf.stdout, /^# Modelfile generated by "ollama show"$/m);
    assert.match(mf.stdout, new RegExp(`^FROM .*sha256-${ggufDigest}$`, "m"));
    assert.match(mf.stdout, /^PARAMETER temperature 0\.5$/m);
    assert.match(mf.stdout, /^PARAMETER num_predict 8$/m);
    assert.match(mf.stdout, /^SYSTEM You are terse\.$/m);
    assert.match(mf.stdout, /^MESSAGE user hi$/m);
    assert.match(mf.stdout, /^MESSAGE assistant hello there$/m);

    const params = await run(["show", "tiny-chat", "--parameters"]);
    ok(params);
    assert.deepEqual(
      params.stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/\s+/).slice(0, 2).join(" "))
        .sort(),
      [
        "num_ctx 512",
        "num_predict 8",
        "seed 42",
        'stop "<|endoftext|>"',
        'stop "<|im_end|>"',
        "temperature 0.5",
      ],
    );

    // Ollama prints template and system without a newline, license and the rest with one.
    const [template, system, license] = await Promise.all([
      run(["show", "tiny-chat", "--template"]),
      run(["show", "tiny-chat", "--system"]),
      run(["show", "tiny-chat", "--license"]),
    ]);
    ok(template);
    assert.equal(template.stdout, TEMPLATE);
    assert.equal(system.stdout, "You are terse.");
    assert.equal(license.stdout, "MIT License\nCopyright (c) tollama\n");
  });

  test("the Modelfile it prints recreates the same model", async () => {
    const mf = await run(["show", "tiny-chat", "--modelfile"]);
    await writeFile(path.join(dir, "Roundtrip"), mf.stdout);
    ok(await run(["create", "roundtrip", "-f", path.join(dir, "Roundtrip")]), true);
    const [a, b] = await Promise.all([
      run(["show", "tiny-chat", "--modelfile"]),
      run(["show", "roundtrip", "--modelfile"]),
    ]);
    const strip = (s: string) => s.replace(/^#.*\n/gm, "");
    assert.equal(strip(b.stdout), strip(a.stdout));
  });

  test("errors", async () => {
    // Ollama names the model as it resolved it ("nope:latest"), unlike rm's error.
    const [nope, two, none] = await Promise.all([
      run(["show", "nope"]),
      run(["show", "tiny-chat", "--system", "--license"]),
      run(["show"]),
    ]);
    fails(nope, "model 'nope:latest' not found");
    fails(
      two,
      "only one of '--license', '--modelfile', '--parameters', '--system', or '--template' can be specified",
    );
    fails(none, "accepts 1 arg(s), received 0");
  });
});

describe("run", () => {
  test("one-shot prompt: the answer on stdout, a blank line after it", async () => {
    const r = await run(["run", "tiny-chat", "Say", "hello"]);
    ok(r);
    assert.ok(r.stdout.endsWith("\n\n"), JSON.stringify(r.stdout));
    assert.ok(r.stdout.trim().length > 0, "empty answer");
    // seed + temperature: the same prompt gives the same answer
    const again = await run(["run", "tiny-chat", "Say hello"]);
    assert.equal(again.stdout, r.stdout);
  });

  test("--verbose prints Ollama's timing summary on stderr", async () => {
    const r = await run(["run", "tiny-chat", "--verbose", "hi"]);
    ok(r, true);
    // "load duration" only shows when the server reports one (Ollama omits a zero).
    for (const key of [
      "total duration",
      "prompt eval count",
      "prompt eval duration",
      "prompt eval rate",
      "eval count",
      "eval duration",
      "eval rate",
    ]) {
      assert.match(r.stderr, new RegExp(`^${key}:\\s+\\S`, "m"), r.stderr);
    }
    assert.match(r.stderr, /^eval count:\s+[1-8] token\(s\)$/m);
  });

  test("piped stdin becomes the prompt (before the arguments)", async () => {
    const long = "the quick brown fox jumps over the lazy dog ".repeat(20);
    const piped = await run(["run", "tiny-chat", "--verbose", "x"], { input: long });
    ok(piped, true);
    const bare = await run(["run", "tiny-chat", "--verbose", "x"]);
    const count = (r: CliResult) => Number(/^prompt eval count:\s+(\d+)/m.exec(r.stderr)?.[1]);
    assert.ok(count(piped) > count(bare) + 50, `piped ${count(piped)} vs bare ${count(bare)}`);
    // stdin alone, with no prompt argument
    const only = await run(["run", "tiny-chat"], { input: "hello" });
    ok(only);
    assert.ok(only.stdout.trim().length > 0);
  });

  test("--format json", async () => {
    const mf = path.join(dir, "Json");
    await writeFile(mf, "FROM tiny-chat\nPARAMETER num_predict 64\n");
    ok(await run(["create", "tiny-json", "-f", mf]), true);
    const r = await run(["run", "tiny-json", "--format", "json", "give me json"]);
    ok(r);
    assert.match(r.stdout.trimStart(), /^[{[]/, r.stdout);
  });

  test("Ctrl+C mid-answer stops quietly, exit 0", async () => {
    const mf = path.join(dir, "Long");
    await writeFile(mf, "FROM tiny-chat\nPARAMETER num_predict 400\nPARAMETER temperature 0\n");
    ok(await run(["create", "tiny-long", "-f", mf]), true);
    const t0 = Date.now();
    const r = await tollama(["run", "tiny-long", "go on"], {
      env,
      signalOnOutput: "SIGINT",
      timeoutMs: 20_000,
    });
    ok(r);
    assert.ok(r.stdout.length > 0);
    assert.ok(Date.now() - t0 < 15_000);
  });

  test("a missing model is pulled first, and the pull's error reported", async () => {
    const port = await freePort();
    fails(await run(["run", `127.0.0.1:${port}/library/nope`, "hi", "--insecure"]), /^Error: \S/);
  });
});

describe("ps and stop", () => {
  test("ps lists the loaded model; stop unloads it", async () => {
    ok(await run(["run", "tiny-chat", "--keepalive", "10m", "hi"]));
    const r = await run(["ps"]);
    ok(r);
    assert.match(r.stdout.split("\n")[0] ?? "", /^NAME\s+ID\s+SIZE\s+PROCESSOR\s+CONTEXT\s+UNTIL\s*$/);
    const row = rows(r.stdout).find((x) => x[0] === "tiny-chat:latest");
    assert.ok(row, r.stdout);
    assert.equal(row[3], "100% CPU");
    assert.equal(row[4], "512");
    assert.match(row[5] ?? "", /^(9|10) minutes from now$/);

    const s = await run(["stop", "tiny-chat"]);
    ok(s);
    assert.equal(s.stdout, "");
    let after = "";
    for (let i = 0; i < 50; i++) {
      after = (await run(["ps"])).stdout;
      if (!after.includes("tiny-chat:latest")) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.doesNotMatch(after, /tiny-chat:latest/);
  });

  test("stop an unknown model", async () => {
    fails(await run(["stop", "nope"]), `couldn't find model "nope" to stop`);
  });
});

describe("cp and rm", () => {
  test("cp copies, rm deletes", async () => {
    const c = await run(["cp", "tiny-chat", "copied"]);
    ok(c);
    assert.equal(c.stdout, "copied 'tiny-chat' to 'copied'\n");
    const list = await run(["list"]);
    const rowsBefore = rows(list.stdout);
    const src = rowsBefore.find((r) => r[0] === "tiny-chat:latest");
    const dst = rowsBefore.find((r) => r[0] === "copied:latest");
    assert.ok(src && dst, list.stdout);
    assert.equal(dst[1], src[1]);

    const r = await run(["rm", "copied", "tiny-again"]);
    ok(r);
    assert.equal(r.stdout, "deleted 'copied'\ndeleted 'tiny-again'\n");
    const names = rows((await run(["list"])).stdout).map((x) => x[0]);
    assert.ok(!names.includes("copied:latest") && !names.includes("tiny-again:latest"), names.join());
    assert.ok(names.includes("tiny-chat:latest"));
  });

  test("errors", async () => {
    const [cp, rmr, args] = await Promise.all([
      run(["cp", "nope", "other"]),
      run(["rm", "nope"]),
      run(["cp", "tiny-chat"]),
    ]);
    fails(cp, `model "nope" not found`);
    fails(rmr, "model 'nope' not found");
    fails(args, "accepts 2 arg(s), received 1");
  });
});

describe("pull", () => {
  test("a server-side pull error prints as Error: ..., exit 1", async () => {
    const port = await freePort();
    fails(await run(["pull", `127.0.0.1:${port}/library/nothing:latest`, "--insecure"]), /^Error: \S/);
  });
});

describe("no server", () => {
  test("commands say the server isn't running", async () => {
    const host = `127.0.0.1:${await freePort()}`;
    await Promise.all(
      [["list"], ["show", "x"], ["run", "x", "hi"], ["create", "x"]].map(async (args) =>
        fails(
          await tollama(args, { env: { OLLAMA_HOST: host } }),
          "could not connect to tollama server, run 'tollama serve' to start it",
        ),
      ),
    );
    const v = await tollama(["-v"], { env: { OLLAMA_HOST: host } });
    ok(v);
    assert.match(
      v.stdout,
      /^Warning: could not connect to a running tollama instance\nWarning: client version is \S+ \(Ollama API \S+\)\n$/,
    );
  });

  test("OLLAMA_HOST on a port that fetch refuses (6666)", async (t) => {
    const probe = 6666;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createNetServer();
      srv.once("error", () => resolve(false));
      srv.listen(probe, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (!free) return t.skip("port 6666 is in use");
    const models = await mkdtemp(path.join(tmpdir(), "tollama-cli-serve-"));
    let s: ServeProcess | undefined;
    try {
      s = await startServe({ OLLAMA_MODELS: models }, probe);
      const r = await tollama(["list"], { env: { OLLAMA_HOST: `0.0.0.0:${probe}` } });
      ok(r);
      assert.match(r.stdout, /^NAME\s+ID\s+SIZE\s+MODIFIED/);
    } finally {
      await s?.stop();
      await rm(models, { recursive: true, force: true });
    }
  });

  test("unknown commands", async () => {
    fails(await run(["frobnicate"]), `unknown command "frobnicate" for "tollama"`);
  });
});

describe("serve", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`prints its config, and exits cleanly on ${signal}`, async () => {
      const models = await mkdtemp(path.join(tmpdir(), "tollama-cli-serve-"));
      let s: ServeProcess | undefined;
      try {
        s = await startServe({ OLLAMA_MODELS: models, OLLAMA_DEBUG: "", OLLAMA_CONTEXT_LENGTH: "" });
        const out = s.output();
        assert.match(out, /level=INFO .*msg="server config env=.*OLLAMA_HOST:http:\/\/127\.0\.0\.1:\d+/);
        // Unset, the default context is chosen by the GPUs' memory before the server listens.
        assert.match(out, /OLLAMA_CONTEXT_LENGTH:0 /);
        assert.match(
          out,
          /msg="vram-based default context" total_vram=".+" default_num_ctx=(4096|32768|262144)\n/,
        );
        assert.match(out, new RegExp(`OLLAMA_MODELS:${models.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
        assert.match(out, /Listening on 127\.0\.0\.1:\d+/);
        const r = await s.stop(signal);
        assert.equal(r.code, 0, s.output());
        assert.ok(r.ms < 5000, `took ${r.ms} ms`);
      } finally {
        await s?.stop("SIGKILL");
        await rm(models, { recursive: true, force: true });
      }
    });
  }

  test("a port in use is an error", async () => {
    const r = await tollama(["serve"], {
      env: { OLLAMA_HOST: server.host, OLLAMA_MODELS: path.join(dir, "models") },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Error: .*address already in use/);
  });

  test("exits cleanly with a model loaded", async () => {
    // The shared server has run models above; give it something loaded, then stop it in after().
    ok(await run(["run", "tiny-chat", "hi"]));
    const ps = await run(["ps"]);
    assert.match(ps.stdout, /tiny-chat:latest/);
    const r = await server.stop("SIGTERM");
    assert.equal(r.code, 0, server.output());
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });
});
