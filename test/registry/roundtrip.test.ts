// Push to and pull from a real distribution registry: the bytes that come back are the bytes
// that went up, progress reads like Ollama's, and errors are worded like Ollama's.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { pullModel, pushModel, pull } from "../../src/registry/index.js";
import { createStore } from "../../src/store/index.js";
import { registrySkipReason, startRegistry, type RunningRegistry } from "../helpers/registry.js";
import { startRegistryProxy, type RegistryProxy } from "../helpers/registry-proxy.js";
import { FAST, blobBytes, buildModel, collect, leftovers, statuses, tempStore } from "./fixtures.js";

const skip = registrySkipReason();

describe("registry round trip", { skip }, () => {
  let registry: RunningRegistry;
  let proxy: RegistryProxy;

  before(async () => {
    registry = await startRegistry();
    proxy = await startRegistryProxy({ upstream: registry.url });
  });
  after(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it("pushes a model and pulls back identical manifest and blobs", async () => {
    const source = await tempStore();
    const name = `${registry.host}/tollama/tiny:v1`;
    const model = await buildModel(source, name);
    const pushed = collect();
    await pushModel(source, name, { insecure: true, tuning: FAST, onProgress: pushed.onProgress });
    const pushStatuses = statuses(pushed.events);
    assert.equal(pushStatuses[0], "retrieving manifest");
    assert.deepEqual(pushStatuses.slice(-2), ["pushing manifest", "success"]);
    for (const d of model.digests) assert.ok(pushStatuses.includes(`pushing ${d.slice(7, 19)}`), d);

    const target = await tempStore();
    const pulled = collect();
    await pullModel(target, name, { insecure: true, tuning: FAST, onProgress: pulled.onProgress });
    assert.deepEqual(statuses(pulled.events), [
      "pulling manifest",
      ...model.digests.map((d) => `pulling ${d.slice(7, 19)}`),
      "verifying sha256 digest",
      "writing manifest",
      "success",
    ]);
    const last = pulled.events.filter((e) => e.digest === model.digests[0]).at(-1);
    assert.equal(last?.completed, 1024 * 1024);
    assert.equal(last?.total, 1024 * 1024);
    assert.deepEqual(Object.keys(last ?? {}), ["status", "digest", "total", "completed"]);

    const entry = await target.readManifest(name);
    assert.deepEqual(entry.bytes, model.manifest);
    for (const d of model.digests) assert.deepEqual(await blobBytes(target, d), await blobBytes(source, d));
    assert.deepEqual(await leftovers(target), []);
  });

  it("pulls through the async-generator interface and is a no-op the second time", async () => {
    const source = await tempStore();
    const name = `${registry.host}/tollama/gen:latest`;
    const model = await buildModel(source, name, 200_000);
    await pushModel(source, name, { insecure: true, tuning: FAST });
    const target = await tempStore();
    const first = [];
    for await (const p of pull(target, name, { insecure: true, tuning: FAST })) first.push(p);
    assert.equal(first.at(-1)?.status, "success");
    const again = collect();
    await pullModel(target, name, { insecure: true, tuning: FAST, onProgress: again.onProgress });
    // Cached blobs report complete at once and skip verification, as Ollama's cache hits do.
    for (const d of model.digests) {
      const e = again.events.find((x) => x.digest === d);
      assert.equal(e?.completed, e?.total);
    }
  });

  it("skips blobs the registry already has and mounts layers from another repository", async () => {
    const store = await tempStore();
    const name = `${proxy.host}/tollama/base:latest`;
    const model = await buildModel(store, name, 100_000);
    await pushModel(store, name, { insecure: true, tuning: FAST });

    proxy.resetStats();
    await pushModel(store, name, { insecure: true, tuning: FAST });
    assert.equal(proxy.stats.requests.filter((r) => r.method === "POST").length, 0);

    const derived = `${proxy.host}/other/derived:latest`;
    const base = await store.readManifest(name);
    const layers = base.manifest.layers.map((l) => ({ ...l, from: name }));
    await store.writeModel(derived, { configLayer: base.manifest.config, layers });
    proxy.resetStats();
    await pushModel(store, derived, { insecure: true, tuning: FAST });
    const posts = proxy.stats.requests.filter((r) => r.method === "POST");
    assert.ok(
      posts.some(
        (r) =>
          r.path.includes(`mount=${encodeURIComponent(model.digests[0] ?? "")}`) &&
          r.path.includes("from=tollama%2Fbase"),
      ),
      JSON.stringify(posts),
    );
    // Only the config (which has no `from`) is uploaded; the three mounted layers are not.
    assert.equal(proxy.stats.requests.filter((r) => r.method === "PATCH").length, 1);
    const target = await tempStore();
    await pullModel(target, derived, { insecure: true, tuning: FAST });
    for (const d of model.digests) assert.ok(await target.hasBlob(d));
  });

  it("uploads monolithically and in several PATCH chunks alike", async () => {
    for (const monolithicUpload of [true, false]) {
      const store = await tempStore();
      const name = `${proxy.host}/tollama/mode-${monolithicUpload ? "mono" : "chunked"}:latest`;
      const model = await buildModel(store, name, 700_000);
      proxy.resetStats();
      await pushModel(store, name, { insecure: true, tuning: { ...FAST, monolithicUpload } });
      const patches = proxy.stats.requests.filter((r) => r.method === "PATCH").length;
      if (monolithicUpload) assert.equal(patches, 0);
      else assert.ok(patches >= 3 + 2, `chunked upload used ${patches} PATCHes`);
      const target = await tempStore();
      await pullModel(target, name, { insecure: true, tuning: FAST });
      assert.deepEqual((await target.readManifest(name)).bytes, model.manifest);
    }
  });

  it("words failures as Ollama does", async () => {
    const store = await tempStore();
    await assert.rejects(
      pullModel(store, `${registry.host}/tollama/nope:latest`, { insecure: true, tuning: FAST }),
      {
        message: "pull model manifest: file does not exist",
      },
    );
    await assert.rejects(pullModel(store, `http://${registry.host}/tollama/nope:latest`), {
      message: "insecure protocol http",
    });
    const events = collect();
    const missing = `${registry.host}/tollama/absent:latest`;
    // The expected path is worked out first: awaiting it after pushModel started left the push's
    // rejection unhandled for a moment, which the test runner reports as a failure.
    const missingPath = store.manifestPath(await store.resolveName(missing));
    await assert.rejects(pushModel(store, missing, { insecure: true, onProgress: events.onProgress }), {
      message: `open ${missingPath}: no such file or directory`,
    });
    assert.deepEqual(statuses(events.events), ["retrieving manifest", "couldn't retrieve manifest"]);
    await assert.rejects(
      pullModel(store, "127.0.0.1:1/tollama/x:latest", {
        insecure: true,
        tuning: { ...FAST, maxRetries: 1 },
      }),
      {
        message:
          'pull model manifest: Get "http://127.0.0.1:1/v2/tollama/x/manifests/latest": dial tcp 127.0.0.1:1: connect: connection refused',
      },
    );
    // a plain-HTTP registry without insecure: Go's words for the mistake
    await assert.rejects(
      pullModel(store, `${registry.host}/tollama/x:latest`, { tuning: { ...FAST, maxRetries: 1 } }),
      (err: Error) => err.message.endsWith(": http: server gave HTTP response to HTTPS client"),
    );
  });

  it("prunes layers the new version no longer uses, unless noPrune", async () => {
    const name = `${registry.host}/tollama/evolving:latest`;
    for (const noPrune of [false, true]) {
      const publisher = await tempStore();
      const v1 = await buildModel(publisher, name, 50_000);
      await pushModel(publisher, name, { insecure: true, tuning: FAST });
      const user = await tempStore();
      await pullModel(user, name, { insecure: true, tuning: FAST });
      const v2 = await buildModel(publisher, name, 60_000);
      await pushModel(publisher, name, { insecure: true, tuning: FAST });
      const events = collect();
      await pullModel(user, name, { insecure: true, tuning: FAST, noPrune, onProgress: events.onProgress });
      const gone = v1.digests.filter((d) => !v2.digests.includes(d));
      for (const d of gone) assert.equal(await user.hasBlob(d), noPrune, d);
      assert.equal(statuses(events.events).includes("removing unused layers"), !noPrune);
      for (const d of v2.digests) assert.ok(await user.hasBlob(d));
    }
  });

  it("keeps the store untouched when the manifest names a blob the registry lacks", async () => {
    const store = await tempStore();
    const name = `${registry.host}/tollama/broken:latest`;
    const model = await buildModel(store, name, 10_000);
    await pushModel(store, name, { insecure: true, tuning: FAST });
    // Delete one blob from the registry's storage behind its back.
    const digest = model.digests[0] ?? "";
    const hex = digest.slice(7);
    const blobDir = `${registry.storage}/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}`;
    await fs.rm(blobDir, { recursive: true, force: true });
    const target = createStore({ root: (await tempStore()).root });
    await assert.rejects(pullModel(target, name, { insecure: true, tuning: FAST }));
    assert.equal(await target.exists(name), false);
    assert.deepEqual(await leftovers(target), []);
  });
});
