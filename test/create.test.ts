// /api/create against a real server: blobs uploaded through /api/blobs, created through the
// official client and raw HTTP, checked on disk and through /api/show and /api/tags.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ollama } from "ollama";
import { startServer, type TestServer } from "./helpers/server.js";
import { tinyModel } from "./helpers/models.js";
import { GgmlType, GgufValueType, writeGguf } from "../src/gguf/index.js";

let server: TestServer;
let client: Ollama;
let tiny: Buffer;
let tinyDigest: string;
let scratch: string;

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function upload(data: Buffer): Promise<string> {
  const digest = sha(data);
  const res = await fetch(`${server.url}/api/blobs/${digest}`, { method: "POST", body: data });
  assert.ok(res.status === 201 || res.status === 200, `upload ${res.status}`);
  return digest;
}

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A small GGUF with the given metadata and one F32 tensor (create never loads it). */
async function smallGguf(
  name: string,
  metadata: Record<string, { type: number; value: string | number }>,
): Promise<Buffer> {
  const file = join(scratch, name);
  await writeGguf(file, {
    metadata: metadata as never,
    tensors: [
      { name: "blk.0.attn_q.weight", shape: [8, 4], type: GgmlType.F32, fill: (out) => out.fill(0.5) },
    ],
  });
  return readFile(file);
}

async function manifestOf(
  model: string,
): Promise<{ config: { digest: string }; layers: Array<Record<string, unknown>> }> {
  const path = join(server.config.models, "manifests", "registry.ollama.ai", "library", ...model.split(":"));
  return JSON.parse(await readFile(path, "utf8")) as never;
}

async function blobText(digest: string): Promise<string> {
  return readFile(join(server.config.models, "blobs", digest.replace(":", "-")), "utf8");
}

before(async () => {
  server = await startServer();
  client = new Ollama({ host: server.url });
  scratch = await mkdtemp(join(tmpdir(), "tollama-create-"));
  tiny = await readFile(await tinyModel());
  tinyDigest = await upload(tiny);
});
after(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("/api/create from files", () => {
  test("streams Ollama's progress lines and writes the manifest", async () => {
    const r = await post("/api/create", { model: "first", files: { "model.gguf": tinyDigest } });
    assert.equal(r.status, 200);
    assert.equal(r.type, "application/x-ndjson");
    const statuses = lines(r.text).map((l) => String(l.status));
    // The tiny model's tokenizer carries a ChatML chat template, which Ollama maps to "chatml".
    assert.deepEqual(statuses.slice(0, 3), [
      "parsing GGUF",
      `using existing layer ${tinyDigest}`,
      "using autodetected template chatml",
    ]);
    assert.match(statuses[3]!, /^(creating new|using existing) layer sha256:[0-9a-f]{64}$/);
    assert.deepEqual(statuses.slice(4), ["writing manifest", "success"]);
    const m = await manifestOf("first:latest");
    assert.deepEqual(m.layers[0], {
      mediaType: "application/vnd.ollama.image.model",
      digest: tinyDigest,
      size: tiny.length,
      from: "model.gguf",
    });
    assert.deepEqual(
      m.layers.slice(1).map((l) => l.mediaType),
      ["application/vnd.ollama.image.template", "application/vnd.ollama.image.params"],
    );
    const config = JSON.parse(await blobText(m.config.digest)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(config), [
      "model_format",
      "model_family",
      "model_families",
      "model_type",
      "file_type",
      "architecture",
      "os",
    ]);
    assert.equal(config.model_format, "gguf");
    assert.equal(config.model_family, "qwen2");
    assert.deepEqual(config.model_families, ["qwen2"]);
    assert.equal(config.file_type, "Q8_0");
    assert.equal(config.os, "linux");
    assert.equal(config.architecture, "amd64");
    assert.match(String(config.model_type), /^\d+(\.\d+)?[KMB]?$/);
  });

  test("template, system, parameters, messages and license become layers", async () => {
    const res = await client.create({
      model: "full",
      files: { "model.gguf": tinyDigest },
      template: "{{ .System }} {{ .Prompt }}",
      system: "You are terse.",
      parameters: { temperature: 0.5, stop: ["<|end|>", "STOP"], num_ctx: 1024 },
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
      license: ["MIT", "Apache-2.0"],
      stream: false,
    } as Parameters<Ollama["create"]>[0] & { stream: false });
    assert.equal(res.status, "success");
    const m = await manifestOf("full:latest");
    const types = m.layers.map((l) => String(l.mediaType).replace("application/vnd.ollama.image.", ""));
    assert.deepEqual(types, ["model", "template", "system", "license", "license", "params", "messages"]);
    const params = m.layers.find((l) => l.mediaType === "application/vnd.ollama.image.params")!;
    assert.equal(
      await blobText(String(params.digest)),
      '{"num_ctx":1024,"stop":["\\u003c|end|\\u003e","STOP"],"temperature":0.5}\n',
    );
    const msgs = m.layers.find((l) => l.mediaType === "application/vnd.ollama.image.messages")!;
    assert.equal(
      await blobText(String(msgs.digest)),
      '[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]\n',
    );
  });

  test("stream:false returns only the last object as application/json", async () => {
    const r = await post("/api/create", {
      model: "quiet",
      files: { "model.gguf": tinyDigest },
      stream: false,
    });
    assert.equal(r.status, 200);
    assert.match(String(r.type), /^application\/json/);
    assert.deepEqual(JSON.parse(r.text), { status: "success" });
  });

  test("a file name without .gguf is sniffed; a chat template is detected", async () => {
    const jinja =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    const data = await smallGguf("chat.gguf", {
      "general.architecture": { type: GgufValueType.STRING, value: "llama" },
      "general.file_type": { type: GgufValueType.UINT32, value: 1 },
      "tokenizer.chat_template": { type: GgufValueType.STRING, value: jinja },
    });
    const digest = await upload(data);
    const r = await post("/api/create", { model: "detected", files: { weights: digest } });
    const statuses = lines(r.text).map((l) => String(l.status));
    assert.equal(statuses[2], "using autodetected template chatml");
    assert.match(statuses[3]!, /^(creating new|using existing) layer sha256:/);
    const m = await manifestOf("detected:latest");
    const params = m.layers.find((l) => l.mediaType === "application/vnd.ollama.image.params")!;
    assert.equal(
      await blobText(String(params.digest)),
      '{"stop":["\\u003c|im_start|\\u003e","\\u003c|im_end|\\u003e"]}\n',
    );
    const shown = await client.show({ model: "detected" });
    assert.match(shown.template, /<\|im_start\|>/);
    assert.match(shown.parameters, /^stop +"<\|im_start\|>"$/m);
  });

  test("an adapter GGUF becomes an adapter layer", async () => {
    const data = await smallGguf("lora.gguf", {
      "general.architecture": { type: GgufValueType.STRING, value: "qwen2" },
      "general.type": { type: GgufValueType.STRING, value: "adapter" },
      "adapter.type": { type: GgufValueType.STRING, value: "lora" },
    });
    const digest = await upload(data);
    const res = await client.create({
      model: "adapted",
      from: "first",
      adapters: { "lora.gguf": digest },
      stream: false,
    });
    assert.equal(res.status, "success");
    const m = await manifestOf("adapted:latest");
    assert.deepEqual(
      m.layers.map((l) => [String(l.mediaType).replace("application/vnd.ollama.image.", ""), l.from]),
      [
        ["model", "first:latest"],
        ["template", "first:latest"],
        ["adapter", "lora.gguf"],
        // Ollama always rewrites the merged params layer, at the end and without `from`.
        ["params", undefined],
      ],
    );
  });
});

describe("/api/create from a model", () => {
  test("copies layers with from, merges parameters, replaces system", async () => {
    const res = await client.create({
      model: "derived",
      from: "full",
      system: "Be verbose.",
      parameters: { temperature: 0.9 },
      stream: false,
    });
    assert.equal(res.status, "success");
    const m = await manifestOf("derived:latest");
    const model = m.layers[0]!;
    assert.equal(model.from, "full:latest");
    const params = m.layers.find((l) => l.mediaType === "application/vnd.ollama.image.params")!;
    assert.equal(
      await blobText(String(params.digest)),
      '{"num_ctx":1024,"stop":["\\u003c|end|\\u003e","STOP"],"temperature":0.9}\n',
    );
    assert.equal(params.from, undefined);
    const systems = m.layers.filter((l) => l.mediaType === "application/vnd.ollama.image.system");
    assert.equal(systems.length, 1);
    assert.equal(await blobText(String(systems[0]!.digest)), "Be verbose.");
    const shown = await client.show({ model: "derived" });
    assert.equal(shown.details.parent_model, "full:latest");
    assert.equal(shown.system, "Be verbose.");
    assert.equal(shown.license, "MIT\nApache-2.0");
    assert.deepEqual(shown.messages, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ]);
  });

  test("streamed progress lists every layer, then writing manifest and success", async () => {
    const r = await post("/api/create", { model: "again", from: "first" });
    const statuses = lines(r.text).map((l) => String(l.status));
    const base = await manifestOf("first:latest");
    assert.deepEqual(statuses, [
      ...base.layers.map((l) => `using existing layer ${String(l.digest)}`),
      "writing manifest",
      "success",
    ]);
  });

  test("a missing base model is pulled first, as in Ollama; a failed pull ends the create", async () => {
    // Nothing listens on port 1: the pull fails at once, in Ollama's words.
    const r = await post("/api/create", { model: "x", from: "127.0.0.1:1/library/does-not-exist" });
    assert.equal(r.status, 200);
    const [first, last] = lines(r.text);
    assert.deepEqual(first, { status: "pulling manifest" });
    assert.match(
      String(last?.error),
      /^pull model manifest: Get "https:\/\/127\.0\.0\.1:1\/v2\/library\/does-not-exist\/manifests\/latest": /,
    );
    assert.equal(
      (await fetch(`${server.url}/api/show`, { method: "POST", body: '{"model":"x"}' })).status,
      404,
    );
  });
});

describe("/api/create errors", () => {
  const missing = `sha256:${"0".repeat(64)}`;

  test("request checks are 400 in Ollama's words, before any streaming", async () => {
    const cases: Array<[unknown, string]> = [
      [{ model: "x", files: { "../evil.gguf": tinyDigest } }, "file path must be relative"],
      [{ model: "x", files: { "/abs.gguf": tinyDigest } }, "file path must be relative"],
      [{ model: "x", files: { "a/./b.gguf": tinyDigest } }, "file path must be relative"],
      [{ model: "x", files: { "m.gguf": "" } }, "invalid digest format"],
      [{ model: "x", adapters: { "a.gguf": "" }, from: "first" }, "invalid digest format"],
      [{ model: "../../etc/passwd", files: { "m.gguf": tinyDigest } }, "invalid model name"],
      [{ model: "", files: { "m.gguf": tinyDigest } }, "invalid model name"],
      [{ model: "x" }, "neither 'from' or 'files' was specified"],
      [{ model: "x", from: "bad name!" }, "invalid model name"],
      [{ model: "x", files: { weights: missing } }, "unknown type"],
      [
        { model: "x", files: { "a.gguf": tinyDigest, "b.gguf": tinyDigest }, from: "", adapters: undefined },
        "",
      ],
    ];
    for (const [body, message] of cases) {
      if (message === "") continue;
      const r = await post("/api/create", body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.text}`);
      assert.match(String(r.type), /^application\/json/);
      assert.deepEqual(JSON.parse(r.text), { error: message }, JSON.stringify(body));
    }
    const bad = await post("/api/create", '{"model": 1}');
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.text), {
      error: "json: cannot unmarshal number into Go struct field CreateRequest.model of type string",
    });
    const empty = await post("/api/create", "");
    assert.deepEqual(JSON.parse(empty.text), { error: "missing request body" });
  });

  test("a missing or non-GGUF blob fails after parsing GGUF, leaving no model behind", async () => {
    const r = await post("/api/create", { model: "broken", files: { "m.gguf": missing } });
    assert.equal(r.status, 200);
    const out = lines(r.text);
    assert.equal(out[0]!.status, "parsing GGUF");
    assert.match(String(out.at(-1)!.error), /^open .*sha256-0{64}: no such file or directory$/);

    const text = await upload(Buffer.from("just some text, not a model"));
    const q = await post("/api/create", { model: "broken", files: { "m.gguf": text }, stream: false });
    assert.equal(q.status, 400);
    assert.deepEqual(JSON.parse(q.text), { error: "supplied file was not in GGUF format" });

    const bad = await post("/api/create", {
      model: "broken",
      files: { "m.gguf": "sha256:xyz" },
      stream: false,
    });
    assert.equal(bad.status, 500);
    assert.deepEqual(JSON.parse(bad.text), { error: "invalid digest format" });

    const names = (await client.list()).models.map((m) => m.name);
    assert.ok(!names.includes("broken:latest"));
  });

  test("bad template is 400 with Ollama's template error prefix", async () => {
    const r = await post("/api/create", {
      model: "badtmpl",
      files: { "m.gguf": tinyDigest },
      template: "{{ .Prompt",
      stream: false,
    });
    assert.equal(r.status, 400);
    assert.match((JSON.parse(r.text) as { error: string }).error, /^template error: template: :1: /);
    assert.ok(!(await client.list()).models.some((m) => m.name === "badtmpl:latest"));
  });

  test("quantize q8_0 (and bf16) rewrites an F16 model with Ollama's progress; the new model runs", async () => {
    const f16 = await upload(await readFile(await tinyModel({ quant: "F16" })));
    const r = await post("/api/create", { model: "tiny-q8", files: { "m.gguf": f16 }, quantize: "q8_0" });
    assert.equal(r.status, 200);
    const progress = lines(r.text);
    const quantizing = progress.filter((l) => l.status === "quantizing F16 model to Q8_0");
    assert.ok(quantizing.length > 0, r.text);
    assert.equal(quantizing[0]!.digest, "0000000000000000000");
    assert.equal(quantizing.at(-1)!.completed, quantizing.at(-1)!.total);
    const statuses = progress.map((l) => String(l.status));
    const verified = statuses.indexOf("verifying conversion");
    assert.ok(verified > statuses.indexOf("quantizing F16 model to Q8_0"), r.text);
    assert.match(statuses[verified + 1] ?? "", /^creating new layer sha256:[0-9a-f]{64}$/);
    assert.deepEqual(statuses.slice(-2), ["writing manifest", "success"]);
    const shown = await client.show({ model: "tiny-q8" });
    assert.equal(shown.details.quantization_level, "Q8_0");
    const out = await client.generate({ model: "tiny-q8", prompt: "hi", options: { num_predict: 3 } });
    assert.equal(out.done, true);
    const bf16 = await post("/api/create", {
      model: "tiny-bf16",
      files: { "m.gguf": f16 },
      quantize: "bf16",
      stream: false,
    });
    assert.equal(bf16.status, 200, bf16.text);
    const shownBf16 = JSON.parse((await post("/api/show", { model: "tiny-bf16", verbose: true })).text) as {
      details: { quantization_level: string };
      tensors: Array<{ name: string; type: string }>;
    };
    assert.equal(shownBf16.details.quantization_level, "BF16");
    // matrices become BF16; the norms stay F32, as llama-quantize leaves them
    const typeOf = (name: string) => shownBf16.tensors.find((t) => t.name === name)?.type;
    assert.equal(typeOf("blk.0.attn_q.weight"), "BF16");
    assert.equal(typeOf("blk.0.attn_norm.weight"), "F32");
    const fromBf16 = await client.generate({ model: "tiny-bf16", prompt: "hi", options: { num_predict: 3 } });
    assert.equal(fromBf16.done, true);
  });

  test("quantize q4_K_M and q4_K_S: llama-quantize's k-quant mixes, and llama.cpp runs them", async () => {
    // 256-wide rows, so the matrices take k-quants rather than their 32-value fallbacks
    const wide = { quant: "F16" as const, overrides: { embedding: 256, ffn: 512, layers: 8 } };
    const f16 = await upload(await readFile(await tinyModel(wide)));
    for (const [asked, level] of [
      ["q4_K_M", "Q4_K_M"],
      ["Q4_K", "Q4_K_M"],
      ["q4_k_s", "Q4_K_S"],
    ] as const) {
      const name = `tiny-${asked.toLowerCase()}`;
      const r = await post("/api/create", { model: name, files: { "m.gguf": f16 }, quantize: asked });
      assert.equal(r.status, 200, r.text);
      const statuses = lines(r.text).map((l) => String(l.status));
      assert.ok(statuses.includes(`quantizing F16 model to ${asked.toUpperCase()}`), r.text);
      const shown = JSON.parse((await post("/api/show", { model: name, verbose: true })).text) as {
        details: { quantization_level: string };
        tensors: Array<{ type: string }>;
      };
      assert.equal(shown.details.quantization_level, level);
      const types = new Set(shown.tensors.map((t) => t.type));
      assert.ok(types.has("Q4_K") && types.has(level === "Q4_K_M" ? "Q6_K" : "Q5_K"), [...types].join());
      const out = await client.generate({ model: name, prompt: "hi", options: { num_predict: 3 } });
      assert.equal(out.done, true);
      assert.ok(out.eval_count > 0);
    }
  });

  test("two adapters, quantize of a quantized model", async () => {
    const two = await post("/api/create", {
      model: "x",
      from: "first",
      adapters: { "a.gguf": tinyDigest, "b.gguf": tinyDigest },
      stream: false,
    });
    assert.equal(two.status, 400);
    assert.deepEqual(JSON.parse(two.text), { error: "only one adapter is currently supported" });
    const q = await post("/api/create", { model: "x", from: "first", quantize: "q4_k_m", stream: false });
    assert.equal(q.status, 500);
    assert.deepEqual(JSON.parse(q.text), {
      error: "quantization is only supported for F16, BF16 and F32 models",
    });
  });

  test("a failed create leaves no stray blobs beyond the uploads", async () => {
    const blobs = await readdir(join(server.config.models, "blobs"));
    assert.ok(
      blobs.every((b) => /^sha256-[0-9a-f]{64}$/.test(b)),
      blobs.join(","),
    );
  });
});
