// Pulls through a proxy that cuts, stalls, corrupts and fails blob downloads: they resume and
// succeed, or fail with Ollama's digest error, and never leave a corrupt blob or a manifest
// that points at a missing one.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { after, before, beforeEach, describe, it } from "node:test";
import { pullModel, pushModel } from "../../src/registry/index.js";
import { createStore, DigestMismatchError } from "../../src/store/index.js";
import { registrySkipReason, startRegistry, type RunningRegistry } from "../helpers/registry.js";
import { startRegistryProxy, type RegistryProxy } from "../helpers/registry-proxy.js";
import { FAST, blobBytes, buildModel, collect, leftovers, tempStore, type BuiltModel } from "./fixtures.js";
import type { Store } from "../../src/store/index.js";

const skip = registrySkipReason();
const SIZE = 1024 * 1024;
// Stall points off the 64 KiB part grid: a stall that lands exactly where a part ends holds back
// no byte that part needs, and under load parts can arrive one after another, aligned to it.
const OFF_GRID = 4099;

describe("pull through faults", { skip }, () => {
  let registry: RunningRegistry;
  let proxy: RegistryProxy;
  let source: Store;
  let model: BuiltModel;
  let name: string;

  before(async () => {
    registry = await startRegistry();
    proxy = await startRegistryProxy({ upstream: registry.url });
    source = await tempStore();
    name = `${proxy.host}/tollama/faulty:latest`;
    model = await buildModel(source, name, SIZE);
    await pushModel(source, name, { insecure: true, tuning: FAST });
  });
  beforeEach(() => {
    proxy.faults = {};
    proxy.resetStats();
  });
  after(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  async function assertComplete(target: Store): Promise<void> {
    assert.deepEqual((await target.readManifest(name)).bytes, model.manifest);
    for (const d of model.digests) assert.deepEqual(await blobBytes(target, d), await blobBytes(source, d));
    assert.deepEqual(await leftovers(target), []);
  }

  it("resumes parts whose connections are cut", async () => {
    proxy.faults = { cutEveryBytes: 100_000 };
    const target = await tempStore();
    await pullModel(target, name, { insecure: true, tuning: FAST });
    assert.ok(proxy.stats.cuts >= 9, `cuts: ${proxy.stats.cuts}`);
    await assertComplete(target);
    // Cut responses resume where they stopped. The proxy counts what it wrote, and a cut loses
    // at most the little it had buffered, so a restarted part would show up as far more.
    const total = (await Promise.all(model.digests.map((d) => target.blobSize(d)))).reduce(
      (a, b) => a + b,
      0,
    );
    assert.ok(
      proxy.stats.blobBytes <= total + proxy.stats.cuts * 128 * 1024,
      `${proxy.stats.blobBytes} for ${total}`,
    );
  });

  it("retries a stalled part", async () => {
    proxy.faults = { stallAfterBytes: SIZE / 3, stallMs: Infinity };
    const target = await tempStore();
    await pullModel(target, name, { insecure: true, tuning: { ...FAST, stallTimeoutMs: 300 } });
    assert.equal(proxy.stats.stalls, 1);
    await assertComplete(target);
  });

  it("retries failed requests with backoff", async () => {
    proxy.faults = { failBlobStatus: 503, failBlobGets: 3 };
    const target = await tempStore();
    await pullModel(target, name, { insecure: true, tuning: FAST });
    await assertComplete(target);
  });

  it("gives up after maxRetries failures without progress and keeps no manifest", async () => {
    proxy.faults = { failBlobStatus: 503, failBlobGets: 1000 };
    const target = await tempStore();
    await assert.rejects(
      pullModel(target, name, { insecure: true, tuning: { ...FAST, maxRetries: 3 } }),
      /max retries exceeded: 503: injected failure/,
    );
    assert.equal(await target.exists(name), false);
  });

  it("fails with the download digest error on flipped bytes and removes the bad file", async () => {
    const digest = model.digests[0] ?? "";
    proxy.faults = { flipOffset: 300_000, flipDigest: digest };
    const target = await tempStore();
    const err = await pullModel(target, name, { insecure: true, tuning: FAST }).then(
      () => assert.fail("pull succeeded"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DigestMismatchError, String(err));
    assert.match(
      err.message,
      new RegExp(`^digest mismatch, file must be downloaded again: want ${digest}, got sha256:[0-9a-f]{64}$`),
    );
    assert.equal(await target.hasBlob(digest), false);
    assert.equal(await target.exists(name), false);
    assert.deepEqual(await leftovers(target), []);
    // A clean second attempt then succeeds.
    proxy.faults = {};
    await pullModel(target, name, { insecure: true, tuning: FAST });
    await assertComplete(target);
  });

  it("resumes an aborted pull from the partial file in a fresh store object", async () => {
    const root = (await tempStore()).root;
    const first = createStore({ root });
    proxy.faults = { stallAfterBytes: SIZE / 2 + OFF_GRID, stallMs: Infinity };
    const controller = new AbortController();
    const watcher = setInterval(() => {
      if (proxy.stats.stalls > 0) setTimeout(() => controller.abort(), 150);
    }, 10);
    await assert.rejects(
      pullModel(first, name, {
        insecure: true,
        signal: controller.signal,
        tuning: { ...FAST, stallTimeoutMs: 60_000 },
      }),
    );
    clearInterval(watcher);
    const files = await leftovers(first);
    const digest = model.digests[0] ?? "";
    const partial = `${digest.replace(":", "-")}-partial`;
    assert.ok(files.includes(partial), files.join());
    let persisted = 0;
    for (const f of files.filter((n) => n.startsWith(`${partial}-`))) {
      const part = JSON.parse(await fs.readFile(`${first.blobsDir}/${f}`, "utf8")) as {
        N: number;
        Completed: number;
      };
      persisted += part.Completed;
    }
    assert.ok(persisted >= SIZE / 2 - 64 * 1024, `persisted ${persisted}`);
    assert.equal(await first.exists(name), false);

    proxy.faults = {};
    proxy.resetStats();
    const second = createStore({ root });
    const events = collect();
    await pullModel(second, name, { insecure: true, tuning: FAST, onProgress: events.onProgress });
    const others = (await Promise.all(model.digests.slice(1).map((d) => second.blobSize(d)))).reduce(
      (a, b) => a + b,
      0,
    );
    assert.equal(proxy.stats.blobBytes, SIZE - persisted + others, "only the missing bytes were downloaded");
    const firstReport = events.events.find((e) => e.digest === digest);
    // Progress is reported on a timer, so the first report may already include new bytes.
    assert.ok((firstReport?.completed ?? 0) >= persisted, "progress starts from the resumed bytes");
    await assertComplete(second);
  });

  it("resumes after the pulling process is killed with SIGKILL", async () => {
    const root = (await tempStore()).root;
    proxy.faults = { stallAfterBytes: (SIZE * 3) / 4 + OFF_GRID, stallMs: Infinity };
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./pull-child.js", import.meta.url)), root, name],
      {
        stdio: "ignore",
      },
    );
    const exited = new Promise((r) => child.once("exit", r));
    const store = createStore({ root });
    const digest = model.digests[0] ?? "";
    const persistedBytes = async (): Promise<number> => {
      let sum = 0;
      for (const f of await leftovers(store)) {
        if (!f.startsWith(`${digest.replace(":", "-")}-partial-`)) continue;
        const text = await fs.readFile(`${store.blobsDir}/${f}`, "utf8").catch(() => "{}");
        sum += (JSON.parse(text) as { Completed?: number }).Completed ?? 0;
      }
      return sum;
    };
    // Kill hard once the checkpoints show more than half the blob on disk (the proxy holds the rest).
    const deadline = Date.now() + 10_000;
    while ((await persistedBytes()) < SIZE / 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await exited;
    const persisted = await persistedBytes();
    assert.ok(persisted >= SIZE / 2, `persisted ${persisted}`);
    await proxy.settle();
    proxy.faults = {};
    proxy.resetStats();
    await pullModel(store, name, { insecure: true, tuning: FAST });
    const others = (await Promise.all(model.digests.slice(1).map((d) => store.blobSize(d)))).reduce(
      (a, b) => a + b,
      0,
    );
    assert.equal(proxy.stats.blobBytes, SIZE - persisted + others);
    await assertComplete(store);
  });

  it("shares one download between concurrent pulls of the same blob", async () => {
    const root = (await tempStore()).root;
    const a = createStore({ root });
    const b = createStore({ root });
    proxy.faults = { stallAfterBytes: 300_000, stallMs: 200 };
    const [ea, eb] = [collect(), collect()];
    // The 200 ms pause is not a stall to give up on, even when a loaded machine slows the test.
    const tuning = { ...FAST, stallTimeoutMs: 30_000 };
    await Promise.all([
      pullModel(a, name, { insecure: true, tuning, onProgress: ea.onProgress }),
      pullModel(b, name, { insecure: true, tuning, onProgress: eb.onProgress }),
    ]);
    const total = (await Promise.all(model.digests.map((d) => a.blobSize(d)))).reduce((x, y) => x + y, 0);
    // A second download of the blob would add a whole SIZE; a resumed part re-reads at most its
    // unsaved tail (one part, 64 KiB).
    const crossed = proxy.stats.blobBytes;
    assert.ok(
      crossed >= total && crossed <= total + 64 * 1024,
      `each blob crossed the network once: ${crossed} for ${total}`,
    );
    assert.equal(ea.events.at(-1)?.status, "success");
    assert.equal(eb.events.at(-1)?.status, "success");
    await assertComplete(a);
  });

  it("an abandoned waiter does not cancel a download another pull still waits on", async () => {
    const root = (await tempStore()).root;
    const store = createStore({ root });
    proxy.faults = { stallAfterBytes: SIZE / 4, stallMs: 300 };
    const controller = new AbortController();
    const quitter = pullModel(store, name, { insecure: true, signal: controller.signal, tuning: FAST });
    const stayer = pullModel(store, name, { insecure: true, tuning: FAST });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(quitter);
    await stayer;
    await assertComplete(store);
  });
});
