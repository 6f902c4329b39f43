import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { checkGpu } from "./gpu-check.js";
import type { LlamaGpuType } from "node-llama-cpp";
import { openCheckedLlama } from "./llama.js";

/** A check whose child is `node -e <script>` instead of the real child entry. */
const node = (script: string, timeoutMs?: number) =>
  checkGpu("cuda", { command: process.execPath, args: ["-e", script], timeoutMs });

test("a child that prints the ok line and exits 0 passes", async () => {
  const r = await node(`console.log("llama.cpp noise"); console.log(JSON.stringify({ ok: true }))`);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.ok(r.ms >= 0);
});

test("a child that aborts fails, naming the signal", async () => {
  // Through a shell only to switch core dumps off: a core file would land in the working tree.
  const r = await checkGpu("cuda", {
    command: "/bin/sh",
    args: ["-c", `ulimit -c 0; exec "${process.execPath}" -e "process.abort()"`],
  });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /SIGABRT/);
});

test("a child that exits non-zero fails with its exit code and last stderr lines", async () => {
  const r = await node(`process.stderr.write("loading\\nboom\\n"); process.exit(3)`);
  assert.equal(r.ok, false);
  const reason = r.ok ? "" : r.reason;
  assert.match(reason, /exit code 3/);
  assert.match(reason, /boom/);
});

test("error lines are picked out of a long log on either stream", async () => {
  const r = await node(
    `for (let i = 0; i < 50; i++) console.log("load line " + i);` +
      `console.log("CUDA error: the provided PTX was compiled with an unsupported toolchain.");` +
      `console.log("  current device: 0");` +
      `process.stderr.write("ggml-cuda.cu:108: CUDA error\\n");` +
      `process.kill(process.pid, "SIGKILL")`,
  );
  assert.equal(r.ok, false);
  const reason = r.ok ? "" : r.reason;
  assert.match(reason, /^killed by SIGKILL: /);
  assert.match(reason, /unsupported toolchain/);
  assert.match(reason, /ggml-cuda\.cu:108/);
  assert.doesNotMatch(reason, /load line/);
});

test("a child that exits 0 without the ok line fails", async () => {
  const r = await node(`console.log(JSON.stringify({ ok: false }))`);
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /without reporting a result/);
});

test("a command that cannot start fails instead of throwing", async () => {
  const r = await checkGpu("cuda", { command: path.join(os.tmpdir(), "no-such-program-for-tollama") });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /could not start/);
});

test("a child that hangs fails after the timeout and is killed", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tollama-gpu-check-test-"));
  try {
    const pidFile = path.join(dir, "pid");
    const r = await node(
      `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
      3000,
    );
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /no result within 3 s/);
    const pid = Number(await readFile(pidFile, "utf8"));
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the real child decodes a tiny model on the CPU", async () => {
  const r = await checkGpu("false");
  assert.equal(r.ok, true, r.ok ? "" : r.reason);
});

/** Records which backends were opened, in order; an opened backend is just its name. */
function opener() {
  const opened: Array<LlamaGpuType | "auto"> = [];
  const open = (gpu: LlamaGpuType | "auto") => (opened.push(gpu), Promise.resolve(gpu));
  return { open, opened };
}

const gpusHere =
  (...gpus: LlamaGpuType[]) =>
  () =>
    Promise.resolve(gpus);

test("a GPU backend that fails its check is never opened, and the CPU is used", async () => {
  const o = opener();
  const fallbacks: string[] = [];
  const llama = await openCheckedLlama(
    o.open,
    gpusHere("cuda", false),
    {
      gpuCheck: () => Promise.resolve({ ok: false, reason: "killed by SIGABRT" }),
      onGpuFallback: (gpu, reason) => fallbacks.push(`${gpu}: ${reason}`),
    },
    {},
  );
  assert.equal(llama, false);
  assert.deepEqual(o.opened, [false]);
  assert.deepEqual(fallbacks, ["cuda: killed by SIGABRT"]);
});

test("the first GPU backend that passes its check is opened", async () => {
  const o = opener();
  const checked: string[] = [];
  const fallbacks: string[] = [];
  const llama = await openCheckedLlama(
    o.open,
    gpusHere("cuda", "vulkan", false),
    {
      gpuCheck: (gpu) => (
        checked.push(gpu),
        Promise.resolve({ ok: gpu === "vulkan", reason: "no kernel image" })
      ),
      onGpuFallback: (gpu) => fallbacks.push(gpu),
    },
    {},
  );
  assert.equal(llama, "vulkan");
  assert.deepEqual(checked, ["cuda", "vulkan"]);
  assert.deepEqual(fallbacks, ["cuda"]);
  assert.deepEqual(o.opened, ["vulkan"]);
});

test("a check that throws counts as a failed check", async () => {
  const o = opener();
  let reason = "";
  const llama = await openCheckedLlama(
    o.open,
    gpusHere("cuda", false),
    {
      gpuCheck: () => Promise.reject(new Error("spawn EAGAIN")),
      onGpuFallback: (_gpu, r) => (reason = r),
    },
    {},
  );
  assert.equal(llama, false);
  assert.match(reason, /spawn EAGAIN/);
});

test("no check runs without GPU drivers, for OLLAMA_LLM_LIBRARY=cpu or with TOLLAMA_SKIP_GPU_CHECK=1", async () => {
  const checked: string[] = [];
  const gpuCheck = (gpu: string) => (checked.push(gpu), Promise.resolve({ ok: false }));
  const none = opener();
  assert.equal(await openCheckedLlama(none.open, gpusHere(false), { gpuCheck }, {}), false);
  assert.deepEqual(none.opened, [false]);

  const library = opener();
  assert.equal(
    await openCheckedLlama(library.open, gpusHere("cuda", false), { gpuCheck, library: "cpu" }, {}),
    false,
  );
  assert.deepEqual(library.opened, [false]);

  const skip = opener();
  const env = { TOLLAMA_SKIP_GPU_CHECK: "1" };
  assert.equal(await openCheckedLlama(skip.open, gpusHere("cuda", false), { gpuCheck }, env), "auto");
  assert.deepEqual(checked, []);
});
