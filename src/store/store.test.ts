import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InvalidNameError, ModelNotFoundError } from "./errors.js";
import { goJsonLine } from "./gojson.js";
import { MEDIA_TYPES, encodeConfig, encodeManifest, type Layer } from "./manifest.js";
import { createStore, type Store } from "./store.js";

async function withStore(fn: (store: Store, root: string) => Promise<void>, noPrune = false): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "tollama-store-"));
  try {
    await fn(createStore({ root, noPrune }), root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const HOUR_AGO = new Date(Date.now() - 2 * 60 * 60 * 1000);

async function makeModel(store: Store, name: string, weights = "weights", extra: Layer[] = []) {
  const model = (await store.createLayer(weights, MEDIA_TYPES.model)).layer;
  const template = (await store.createLayer("{{ .Prompt }}", MEDIA_TYPES.template)).layer;
  return store.writeModel(name, {
    config: {
      model_format: "gguf",
      model_family: "llama",
      model_families: ["llama"],
      model_type: "1B",
      file_type: "Q8_0",
      architecture: "amd64",
      os: "linux",
    },
    layers: [model, template, ...extra],
  });
}

async function blobNames(root: string): Promise<string[]> {
  return (await fs.readdir(path.join(root, "blobs"))).sort();
}

/** Ages every file so the startup prune's grace period no longer protects it. */
async function ageAll(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    await fs.utimes(path.join(entry.parentPath, entry.name), HOUR_AGO, HOUR_AGO);
  }
}

test("writes a model in Ollama's layout and reads it back", async () => {
  await withStore(async (store, root) => {
    const system = (await store.createLayer("You are terse.", MEDIA_TYPES.system)).layer;
    const params = (
      await store.createLayer(
        goJsonLine({ temperature: 0.5, stop: ["<|end|>"] }, { sortKeys: true }),
        MEDIA_TYPES.params,
      )
    ).layer;
    const messages = (
      await store.createLayer(goJsonLine([{ role: "user", content: "hi" }]), MEDIA_TYPES.messages)
    ).layer;
    const license = (await store.createLayer("MIT", MEDIA_TYPES.license)).layer;
    const adapter = (await store.createLayer("lora", MEDIA_TYPES.adapter)).layer;
    const entry = await makeModel(store, "llama3", "weights", [system, params, messages, license, adapter]);

    const file = path.join(root, "manifests", "registry.ollama.ai", "library", "llama3", "latest");
    const bytes = await fs.readFile(file);
    assert.equal(entry.path, file);
    assert.equal(entry.digest, sha(bytes));
    assert.match(
      bytes.toString(),
      /^\{"schemaVersion":2,"mediaType":"application\/vnd\.docker\.distribution\.manifest\.v2\+json","config":\{"mediaType":"application\/vnd\.docker\.container\.image\.v1\+json"/,
    );
    assert.ok(bytes.toString().endsWith("]}\n"));

    const m = await store.readModel("LLAMA3:LATEST");
    assert.equal(m.fullName, "registry.ollama.ai/library/llama3:latest");
    assert.equal(m.shortName, "llama3:latest");
    assert.equal(m.modelPath, path.join(root, "blobs", `sha256-${sha("weights")}`));
    assert.equal(m.template, "{{ .Prompt }}");
    assert.equal(m.system, "You are terse.");
    assert.deepEqual(m.params, { stop: ["\u003c|end|\u003e"], temperature: 0.5 });
    assert.deepEqual(m.messages, [{ role: "user", content: "hi" }]);
    assert.deepEqual(m.license, ["MIT"]);
    assert.equal(m.adapterPaths.length, 1);
    assert.equal(m.config.model_family, "llama");
    assert.equal(m.digest, entry.digest);
  });
});

test("reads a store written by Ollama byte for byte", async () => {
  await withStore(async (store, root) => {
    // Lay the files out by hand, exactly as Ollama's create leaves them.
    const blobs = path.join(root, "blobs");
    await fs.mkdir(blobs, { recursive: true });
    const put = async (data: string) => {
      await fs.writeFile(path.join(blobs, `sha256-${sha(data)}`), data);
      return { digest: `sha256:${sha(data)}`, size: Buffer.byteLength(data) };
    };
    const config = await put(
      encodeConfig({
        model_format: "gguf",
        model_family: "qwen2",
        model_families: ["qwen2"],
        model_type: "494.03M",
        file_type: "Q8_0",
        architecture: "amd64",
        os: "linux",
      }),
    );
    const weights = await put("GGUF....");
    const manifest =
      `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"${config.digest}","size":${config.size}},` +
      `"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"${weights.digest}","size":${weights.size},"from":"qwen2.5:0.5b"}]}\n`;
    const dir = path.join(root, "manifests", "registry.ollama.ai", "me", "qwen");
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "small"), manifest);

    const [summary, ...rest] = await store.list();
    assert.equal(rest.length, 0);
    assert.ok(summary);
    assert.equal(summary.model, "me/qwen:small");
    assert.equal(summary.digest, sha(manifest));
    assert.equal(summary.size, config.size + weights.size);
    assert.deepEqual(summary.details, {
      parentModel: "qwen2.5:0.5b",
      format: "gguf",
      family: "qwen2",
      families: ["qwen2"],
      parameterSize: "494.03M",
      quantizationLevel: "Q8_0",
    });
    const m = await store.readModel("me/qwen:small");
    assert.equal(m.parentModel, "qwen2.5:0.5b");
    assert.equal(m.template, undefined);
  });
});

test("our manifest matches the one Ollama would write for the same layers", async () => {
  await withStore(async (store) => {
    const entry = await makeModel(store, "x/y:z");
    assert.equal(entry.bytes.toString(), encodeManifest(entry.manifest.config, entry.manifest.layers));
  });
});

test("lists newest first with /api/tags names", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "a");
    await makeModel(store, "user/b:v1", "other");
    await makeModel(store, "example.com/ns/c:q4");
    const old = path.join(root, "manifests", "registry.ollama.ai", "library", "a", "latest");
    await fs.utimes(old, HOUR_AGO, HOUR_AGO);
    await fs.writeFile(path.join(path.dirname(old), ".hidden"), "x");
    const names = (await store.list()).map((s) => s.model);
    assert.deepEqual(names, ["example.com/ns/c:q4", "user/b:v1", "a:latest"]);
  });
});

test("skips models whose config blob is gone", async () => {
  await withStore(async (store) => {
    const entry = await makeModel(store, "a");
    await makeModel(store, "b", "b-weights");
    await fs.rm(store.blobPath(entry.manifest.config.digest));
    // "b" shares the config blob, so both lose it.
    assert.deepEqual(await store.list(), []);
  });
});

test("reading a missing or invalid model throws typed errors", async () => {
  await withStore(async (store) => {
    await assert.rejects(store.readModel("nope"), {
      name: "ModelNotFoundError",
      message: "model 'nope' not found",
      status: 404,
    });
    await assert.rejects(store.readModel("../etc"), InvalidNameError);
    await assert.rejects(store.writeModel("bad:", { config: {}, layers: [] }), {
      message: "invalid model name",
    });
  });
});

test("writing refuses layers whose blobs are missing", async () => {
  await withStore(async (store, root) => {
    const ghost: Layer = { mediaType: MEDIA_TYPES.model, digest: `sha256:${"e".repeat(64)}`, size: 1 };
    await assert.rejects(store.writeModel("m", { config: {}, layers: [ghost] }), {
      name: "BlobNotFoundError",
    });
    await assert.rejects(fs.access(path.join(root, "manifests", "registry.ollama.ai")));
  });
});

test("copies byte for byte and follows /api/copy's errors", async () => {
  await withStore(async (store) => {
    const src = await makeModel(store, "Llama3");
    await store.copy("llama3", "me/llama3:copy");
    const copied = await store.readManifest("me/llama3:copy");
    assert.equal(copied.digest, src.digest);
    await store.copy("llama3", "LLAMA3:v2");
    assert.equal((await store.readManifest("llama3:v2")).name.model, "Llama3");
    await store.copy("llama3", "llama3");
    await assert.rejects(store.copy("ghost", "x"), {
      name: "ModelNotFoundError",
      message: 'model "ghost" not found',
    });
    await assert.rejects(store.copy("bad:", "x"), { message: 'source "bad:" is invalid' });
    await assert.rejects(store.copy("llama3", "-x"), { message: 'destination "-x" is invalid' });
  });
});

test("delete removes the manifest, empty folders and now-unused blobs only", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "user/a", "a-weights");
    await makeModel(store, "b", "b-weights");
    const before = await blobNames(root);
    await store.delete("user/a");
    const after = await blobNames(root);
    assert.deepEqual(
      before.filter((b) => !after.includes(b)),
      [`sha256-${sha("a-weights")}`],
    );
    await assert.rejects(fs.access(path.join(root, "manifests", "registry.ollama.ai", "user")));
    assert.equal(await store.exists("b"), true);
    await assert.rejects(store.delete("user/a"), { message: "model 'user/a' not found" });
    await assert.rejects(store.delete("a:b:"), { message: 'name "a:b:" is invalid' });
    await store.delete("B");
    assert.deepEqual(await blobNames(root), []);
    assert.deepEqual(await fs.readdir(path.join(root, "manifests")), []);
  });
});

test("delete can keep blobs", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "a");
    const before = await blobNames(root);
    await store.delete("a", { keepBlobs: true });
    assert.deepEqual(await blobNames(root), before);
    await assert.rejects(store.delete("a"), ModelNotFoundError);
  });
});

test("rewriting a model can prune the blobs only the old version used", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "a", "v1");
    const model = (await store.createLayer("v2", MEDIA_TYPES.model)).layer;
    await store.writeModel("a", { config: {}, layers: [model] }, { pruneReplaced: true });
    const names = await blobNames(root);
    assert.equal(names.includes(`sha256-${sha("v1")}`), false);
    assert.equal(names.includes(`sha256-${sha("v2")}`), true);
  });
});

test("createLayer reports Ollama's progress status", async () => {
  await withStore(async (store) => {
    const first = await store.createLayer("x", MEDIA_TYPES.system);
    assert.equal(first.status, `creating new layer sha256:${sha("x")}`);
    assert.deepEqual(first.layer, { mediaType: MEDIA_TYPES.system, digest: `sha256:${sha("x")}`, size: 1 });
    assert.equal(
      (await store.createLayer("x", MEDIA_TYPES.system)).status,
      `using existing layer sha256:${sha("x")}`,
    );
    const reused = await store.layerFromBlob(first.layer.digest, MEDIA_TYPES.model, "base:latest");
    assert.deepEqual(reused.layer, {
      mediaType: MEDIA_TYPES.model,
      digest: first.layer.digest,
      size: 1,
      from: "base:latest",
    });
  });
});

test("startup prune removes stale orphans and partials, keeps fresh and referenced files", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "kept");
    const blobs = path.join(root, "blobs");
    const orphan = `sha256-${sha("orphan")}`;
    await fs.writeFile(path.join(blobs, orphan), "orphan");
    await fs.writeFile(path.join(blobs, `sha256-${sha("big")}-partial`), "");
    await fs.writeFile(path.join(blobs, `sha256-${sha("big")}-partial-0`), "{}");
    await fs.writeFile(path.join(blobs, "sha256-123456789"), "temp");
    await fs.mkdir(path.join(root, "manifests", "h", "n", "empty"), { recursive: true });
    await ageAll(root);
    const fresh = `sha256-${sha("fresh")}`;
    await fs.writeFile(path.join(blobs, fresh), "fresh");

    const report = await store.prune();
    assert.deepEqual(report.removedBlobs, [`sha256:${sha("orphan")}`]);
    assert.equal(report.removedFiles.length, 3);
    const left = await blobNames(root);
    assert.ok(left.includes(fresh));
    assert.equal(left.length, 4); // config, weights, template, fresh
    await assert.rejects(fs.access(path.join(root, "manifests", "h")));
    await store.readModel("kept");
  });
});

test("startup prune renames colon blob names and honours noPrune", async () => {
  await withStore(async (store, root) => {
    const blobs = path.join(root, "blobs");
    await fs.mkdir(blobs, { recursive: true });
    await fs.writeFile(path.join(blobs, `sha256:${sha("old")}`), "old");
    await ageAll(root);
    const report = await store.prune();
    assert.equal(report.renamed.length, 1);
    assert.equal(report.skipped, "OLLAMA_NOPRUNE is set");
    assert.deepEqual(await blobNames(root), [`sha256-${sha("old")}`]);
  }, true);
});

test("startup prune keeps every blob while a manifest is corrupt", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "a");
    await fs.writeFile(path.join(root, "blobs", `sha256-${sha("orphan")}`), "orphan");
    const dir = path.join(root, "manifests", "registry.ollama.ai", "library", "broken");
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "latest"), "{not json");
    await ageAll(root);
    const report = await store.prune();
    assert.equal(report.skipped, "corrupt manifests");
    assert.ok((await blobNames(root)).includes(`sha256-${sha("orphan")}`));
    // Listing still works and simply leaves the broken one out.
    assert.deepEqual(
      (await store.list()).map((s) => s.model),
      ["a:latest"],
    );
  });
});

test("startup prune clears stale temp manifests from a crashed write", async () => {
  await withStore(async (store, root) => {
    await makeModel(store, "a");
    const dir = path.join(root, "manifests", "registry.ollama.ai", "library", "a");
    await fs.writeFile(path.join(dir, ".latest.123-456.tmp"), "{");
    await ageAll(root);
    const report = await store.prune();
    assert.equal(report.skipped, undefined);
    assert.deepEqual(await fs.readdir(dir), ["latest"]);
  });
});

test("blob upload API: mismatch leaves nothing, match creates the file", async () => {
  await withStore(async (store, root) => {
    const digest = `sha256:${sha("data")}`;
    await assert.rejects(store.writeBlob("other", digest), { name: "DigestMismatchError" });
    assert.deepEqual(await blobNames(root), []);
    assert.equal(await store.hasBlob(digest), false);
    await store.writeBlob("data", digest);
    assert.equal(await store.hasBlob(digest), true);
    assert.equal(await store.blobSize(digest), 4);
  });
});

test("pulled manifest bytes are stored verbatim", async () => {
  await withStore(async (store) => {
    const model = (await store.createLayer("w", MEDIA_TYPES.model)).layer;
    const config = (
      await store.createLayer(encodeConfig({}), "application/vnd.docker.container.image.v1+json")
    ).layer;
    const raw = JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config,
        layers: [model],
      },
      null,
      2,
    );
    const entry = await store.writeManifestBytes("registry.ollama.ai/library/pulled:1b", raw);
    assert.equal(entry.bytes.toString(), raw);
    assert.equal(entry.digest, sha(raw));
    assert.equal((await store.list())[0]?.model, "pulled:1b");
  });
});

test("accepts parsed names and refuses unusable ones", async () => {
  await withStore(async (store) => {
    await makeModel(store, "Mixed/Case:Tag");
    const resolved = await store.resolveName({
      host: "registry.ollama.ai",
      namespace: "mixed",
      model: "case",
      tag: "tag",
    });
    assert.equal(resolved.namespace, "Mixed");
    assert.equal(await store.exists("mixed/case:TAG"), true);
    assert.equal(await store.exists("mixed/case:other"), false);
    await assert.rejects(
      store.resolveName({ host: "..", namespace: "n", model: "m", tag: "t" }),
      InvalidNameError,
    );
  });
});

test("refuses to store manifest bytes nobody could read", async () => {
  await withStore(async (store, root) => {
    await assert.rejects(store.writeManifestBytes("m", "not json"), { name: "CorruptManifestError" });
    await assert.rejects(fs.access(path.join(root, "manifests", "registry.ollama.ai")));
  });
});
