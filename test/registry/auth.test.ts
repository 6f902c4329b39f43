// Bearer-token challenges (anonymous and with basic credentials) and redirects to blob storage on
// another host, which must never receive the registry's Authorization header.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pullModel, pushModel } from "../../src/registry/index.js";
import { registrySkipReason, startRegistry, type RunningRegistry } from "../helpers/registry.js";
import { startRegistryProxy, type RegistryProxy } from "../helpers/registry-proxy.js";
import { FAST, blobBytes, buildModel, leftovers, tempStore } from "./fixtures.js";

const skip = registrySkipReason();

describe("registry auth and redirects", { skip }, () => {
  let registry: RunningRegistry;
  const proxies: RegistryProxy[] = [];

  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await registry?.stop();
  });

  async function proxyWith(
    options: Omit<Parameters<typeof startRegistryProxy>[0], "upstream">,
  ): Promise<RegistryProxy> {
    const p = await startRegistryProxy({ upstream: registry.url, ...options });
    proxies.push(p);
    return p;
  }

  it("follows a bearer challenge to the token endpoint for push and pull", async () => {
    const proxy = await proxyWith({ tokenAuth: true });
    const store = await tempStore();
    const name = `${proxy.host}/tollama/authed:latest`;
    const model = await buildModel(store, name, 300_000);
    await pushModel(store, name, { insecure: true, tuning: FAST });
    const target = await tempStore();
    await pullModel(target, name, { insecure: true, tuning: FAST });
    assert.deepEqual((await target.readManifest(name)).bytes, model.manifest);

    assert.ok(proxy.stats.tokenRequests.length >= 2, "one token per operation");
    for (const t of proxy.stats.tokenRequests) {
      assert.equal(t.searchParams.get("service"), "tollama-test");
      assert.deepEqual(t.searchParams.getAll("scope"), ["repository:tollama/authed:pull,push"]);
    }
    // After the first challenge every request carries the token; only the first of each run lacks it.
    const v2 = proxy.stats.requests.filter((r) => r.path.startsWith("/v2/"));
    assert.equal(v2.filter((r) => r.authorization === undefined).length, proxy.stats.tokenRequests.length);
    assert.ok(v2.filter((r) => r.authorization === `Bearer ${proxy.token}`).length > 10);
  });

  it("sends configured credentials to the token endpoint", async () => {
    const credentials = { username: "alice", password: "s3cret" };
    const proxy = await proxyWith({ tokenAuth: true, basicCredentials: credentials });
    const store = await tempStore();
    const name = `${proxy.host}/tollama/private:latest`;
    await buildModel(store, name, 10_000);
    await assert.rejects(pushModel(store, name, { insecure: true, tuning: FAST }), {
      message: '401: {"details":"bad credentials"}',
    });
    await pushModel(store, name, { insecure: true, tuning: FAST, credentials });
    const target = await tempStore();
    await assert.rejects(pullModel(target, name, { insecure: true, tuning: FAST }), {
      message: 'pull model manifest: 401: {"details":"bad credentials"}',
    });
    await pullModel(target, name, { insecure: true, tuning: FAST, credentials });
    assert.ok(await target.exists(name));
  });

  it("follows blob redirects to another host without the Authorization header", async () => {
    const proxy = await proxyWith({ tokenAuth: true, redirectBlobs: true });
    const store = await tempStore();
    const name = `${proxy.host}/tollama/redirected:latest`;
    const model = await buildModel(store, name, 500_000);
    await pushModel(store, name, { insecure: true, tuning: FAST });
    proxy.resetStats();
    const target = await tempStore();
    await pullModel(target, name, { insecure: true, tuning: FAST });
    for (const d of model.digests) assert.deepEqual(await blobBytes(target, d), await blobBytes(store, d));
    assert.deepEqual(await leftovers(target), []);

    const storage = proxy.stats.storageRequests;
    assert.ok(
      storage.some((r) => r.method === "GET" && r.range !== undefined),
      "ranged GETs reached storage",
    );
    assert.ok(
      storage.some((r) => r.method === "HEAD"),
      "the size HEAD followed the redirect too",
    );
    assert.deepEqual(
      storage.filter((r) => r.authorization !== undefined),
      [],
      "no credentials leaked to storage",
    );
    const blobGets = proxy.stats.requests.filter((r) => r.method === "GET" && r.path.includes("/blobs/"));
    assert.ok(
      blobGets.every((r) => r.authorization === `Bearer ${proxy.token}` || r.authorization === undefined),
    );
    assert.ok(blobGets.some((r) => r.authorization === `Bearer ${proxy.token}`));
  });
});
