import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CorruptManifestError } from "./errors.js";
import { goJson, goJsonLine } from "./gojson.js";
import {
  bytesOllamaHashes,
  encodeConfig,
  encodeManifest,
  manifestDigests,
  manifestSize,
  parseConfig,
  parseManifestBytes,
  readManifestFile,
  writeManifestFile,
  type Layer,
} from "./manifest.js";

const hex = (c: string) => c.repeat(64);
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

test("encodes JSON the way Go does", () => {
  assert.equal(goJson({ a: "<b>&c" }), '{"a":"\\u003cb\\u003e\\u0026c"}');
  assert.equal(goJson("\u2028\u2029"), '"\\u2028\\u2029"');
  assert.equal(goJson("\ud800x"), '"\\ufffdx"');
  assert.equal(goJson("\\ud800"), '"\\\\ud800"');
  assert.equal(goJson({ b: 1, a: [1, "x", null], c: undefined }), '{"b":1,"a":[1,"x",null]}');
  assert.equal(goJson({ b: 1, a: 2, "10": 3, "2": 4 }, { sortKeys: true }), '{"10":3,"2":4,"a":2,"b":1}');
  assert.equal(goJson({ x: { z: 1, y: 2 } }, { sortKeys: true }), '{"x":{"y":2,"z":1}}');
  assert.equal(goJsonLine([]), "[]\n");
  assert.equal(goJson(0.7), "0.7");
  assert.equal(goJson(1e21), "1e+21");
  // BigInts, which JSON.stringify refuses, anywhere in the value
  assert.equal(goJson({ n: 12n, d: new Date(0), f: () => 1 }), '{"n":12,"d":"1970-01-01T00:00:00.000Z"}');
  assert.equal(goJson(undefined), "null");
});

test("writes the config blob byte-for-byte like Ollama's create", () => {
  // Ollama's TestCreateFromBin expects this config blob digest for a GGUF of architecture "test".
  const bytes = encodeConfig({
    model_format: "gguf",
    model_family: "test",
    model_families: ["test"],
    model_type: "0",
    file_type: "unknown",
    architecture: "amd64",
    os: "linux",
  });
  assert.equal(sha(bytes), "99759ad5b91e723db0393d698ffbb448b1b7df5ff6377a108c49254583b1bc8c");
});

test("orders config fields like ConfigV2 and honours omitempty", () => {
  const bytes = encodeConfig({
    os: "linux",
    architecture: "amd64",
    parser: "qwen3",
    renderer: "qwen3",
    context_length: 0,
    capabilities: [],
    remote_host: "https://ollama.com",
    draft: { architecture: "llama" },
  });
  assert.equal(
    bytes,
    '{"model_format":"","model_family":"","model_families":null,"model_type":"","file_type":"",' +
      '"renderer":"qwen3","parser":"qwen3","remote_host":"https://ollama.com",' +
      '"draft":{"architecture":"llama"},"architecture":"amd64","os":"linux"}\n',
  );
  assert.deepEqual(parseConfig(bytes).model_families, null);
  assert.deepEqual(parseConfig('{"rootfs":{"type":"layers","diff_ids":[]}}').rootfs, {
    type: "layers",
    diff_ids: [],
  });
});

const config: Layer = {
  mediaType: "application/vnd.docker.container.image.v1+json",
  digest: `sha256:${hex("c")}`,
  size: 101,
};
const layers: Layer[] = [
  {
    mediaType: "application/vnd.ollama.image.model",
    digest: `sha256:${hex("a")}`,
    size: 1000,
    from: "/x/<y>",
  },
  { mediaType: "application/vnd.ollama.image.template", digest: `sha256:${hex("b")}`, size: 20 },
  {
    mediaType: "application/vnd.ollama.image.tensor",
    digest: `sha256:${hex("d")}`,
    size: 5,
    name: "w.weight",
  },
];

test("writes manifests exactly as Ollama's WriteManifest", () => {
  // Hand-written the way Go's encoder lays out the Manifest struct.
  const expected =
    '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",' +
    `"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:${hex("c")}","size":101},` +
    `"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:${hex("a")}","size":1000,"from":"/x/\\u003cy\\u003e"},` +
    `{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:${hex("b")}","size":20},` +
    `{"mediaType":"application/vnd.ollama.image.tensor","digest":"sha256:${hex("d")}","size":5,"name":"w.weight"}]}\n`;
  assert.equal(encodeManifest(config, layers), expected);
});

test("parses a manifest and reports Ollama's digest", () => {
  const bytes = Buffer.from(encodeManifest(config, layers));
  const parsed = parseManifestBytes(bytes);
  assert.equal(parsed.digest, sha(bytes.toString()));
  assert.deepEqual(parsed.manifest.layers, layers);
  assert.deepEqual(parsed.manifest.config, config);
  assert.equal(manifestSize(parsed.manifest), 1126);
  assert.deepEqual(manifestDigests(parsed.manifest), [...layers.map((l) => l.digest), config.digest]);
});

test("reads zero values for missing fields and ignores trailing data", () => {
  const empty = parseManifestBytes(
    Buffer.from(
      '{"schemaVersion":0,"mediaType":"","config":{"mediaType":"","digest":"","size":0},"layers":null}\n',
    ),
  );
  assert.deepEqual(empty.manifest.layers, []);
  assert.deepEqual(manifestDigests(empty.manifest), []);
  const trailing = Buffer.from('{"schemaVersion":2}\ngarbage');
  assert.equal(parseManifestBytes(trailing).manifest.schemaVersion, 2);
  assert.throws(() => parseManifestBytes(Buffer.from("{")), CorruptManifestError);
  assert.throws(() => parseManifestBytes(Buffer.from("[1]")), CorruptManifestError);
  assert.throws(() => parseManifestBytes(Buffer.from('{"layers":{}}')), CorruptManifestError);
});

test("hashes only what Go's decoder reads when the value ends on a buffer boundary", () => {
  assert.equal(bytesOllamaHashes(513, 512), 512);
  assert.equal(bytesOllamaHashes(514, 513), 514);
  assert.equal(bytesOllamaHashes(1537, 1536), 1536);
  assert.equal(bytesOllamaHashes(3585, 3584), 3584);
  assert.equal(bytesOllamaHashes(900, 899), 900);
  assert.equal(bytesOllamaHashes(512, 512), 512);
  const body = `{"schemaVersion":2,"pad":"${"x".repeat(512 - 28)}"}`;
  assert.equal(body.length, 512);
  const bytes = Buffer.from(`${body}\n`);
  assert.equal(parseManifestBytes(bytes).digest, sha(body));
});

test("round-trips a manifest file atomically and reads its mtime", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "tollama-manifest-"));
  try {
    const file = path.join(dir, "h", "n", "m", "t");
    await writeManifestFile(file, encodeManifest(config, layers));
    await writeManifestFile(file, encodeManifest(config, layers.slice(0, 1)));
    const read = await readManifestFile(file);
    assert.equal(read.manifest.layers.length, 1);
    assert.equal(read.digest, sha(read.bytes.toString()));
    assert.ok(Math.abs(read.modifiedAt.getTime() - Date.now()) < 60_000);
    assert.deepEqual(await fs.readdir(path.dirname(file)), ["t"]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
