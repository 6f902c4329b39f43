import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuList, physicalCores, type CpuProbe } from "./cpus.js";

/** A Linux machine: `cores` lists each core's logical CPUs; extra files override or add. */
function linux(cores: number[][], files: Record<string, string> = {}): CpuProbe {
  const fs: Record<string, string> = {};
  const all = cores.flat().sort((a, b) => a - b);
  for (const core of cores)
    for (const cpu of core)
      fs[`/sys/devices/system/cpu/cpu${cpu}/topology/thread_siblings_list`] = core.join(",");
  fs["/sys/devices/system/cpu/online"] = `0-${Math.max(...all)}`;
  fs["/proc/self/status"] = `Name:\tnode\nCpus_allowed_list:\t0-${Math.max(...all)}\n`;
  fs["/proc/self/cgroup"] = "0::/\n";
  Object.assign(fs, files);
  return { platform: "linux", logical: all.length, read: (p) => fs[p], sysctl: () => undefined };
}

const pairs = (n: number) => Array.from({ length: n }, (_, i) => [i, i + n]);

test("Linux: one thread per core, whatever the SMT width", () => {
  assert.equal(physicalCores(linux([[0], [1]])), 2); // this VM: two vCPUs, no siblings
  assert.equal(physicalCores(linux(pairs(8))), 8); // 8 cores, 16 threads
  assert.equal(physicalCores(linux(Array.from({ length: 4 }, (_, i) => [i]))), 4); // no SMT (Graviton)
  assert.equal(physicalCores(linux([[0, 1, 2, 3]])), 1); // SMT4 (POWER)
});

test("Linux: a hybrid Intel's Atom cores are left out, as llama.cpp does", () => {
  // 8 performance cores with hyperthreads (0-15) and 4 efficiency cores (16-19).
  const p = linux([...Array.from({ length: 8 }, (_, i) => [2 * i, 2 * i + 1]), [16], [17], [18], [19]], {
    "/sys/devices/cpu_atom/cpus": "16-19",
  });
  assert.equal(physicalCores(p), 8);
  // Pinned to the Atom cores alone: those are what there is.
  const atomsOnly = linux([[0, 1], [2], [3]], {
    "/sys/devices/cpu_atom/cpus": "2-3",
    "/proc/self/status": "Cpus_allowed_list:\t2-3\n",
  });
  assert.equal(physicalCores(atomsOnly), 2);
});

test("Linux: only the CPUs this process may run on count (a container's cpuset)", () => {
  const p = linux(pairs(8), { "/proc/self/status": "Cpus_allowed_list:\t2-3,10-11\n" });
  assert.equal(physicalCores(p), 2);
  const offline = linux(pairs(8), { "/sys/devices/system/cpu/online": "0-3,8-11" });
  assert.equal(physicalCores(offline), 4);
});

test("Linux: a cgroup CPU quota caps the count (docker --cpus)", () => {
  const v2 = (cgroup: string, files: Record<string, string>) =>
    physicalCores(linux(pairs(16), { "/proc/self/cgroup": cgroup, ...files }));
  assert.equal(v2("0::/\n", { "/sys/fs/cgroup/cpu.max": "250000 100000\n" }), 2);
  assert.equal(v2("0::/\n", { "/sys/fs/cgroup/cpu.max": "max 100000\n" }), 16);
  assert.equal(v2("0::/\n", { "/sys/fs/cgroup/cpu.max": "50000 100000\n" }), 1);
  // The tightest limit up the tree applies.
  const nested = {
    "/sys/fs/cgroup/system.slice/cpu.max": "400000 100000\n",
    "/sys/fs/cgroup/system.slice/tollama.service/cpu.max": "max 100000\n",
  };
  assert.equal(v2("0::/system.slice/tollama.service\n", nested), 4);
  const v1 = linux(pairs(16), {
    "/proc/self/cgroup": "4:cpu,cpuacct:/\n",
    "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "300000\n",
    "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
  });
  assert.equal(physicalCores(v1), 3);
  const unlimited = linux(pairs(4), { "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n" });
  assert.equal(physicalCores(unlimited), 4);
});

test("Linux without a readable topology: llama.cpp's guess from the CPU count", () => {
  const bare = (logical: number): CpuProbe => ({
    platform: "linux",
    logical,
    read: () => undefined,
    sysctl: () => undefined,
  });
  assert.equal(physicalCores(bare(16)), 8);
  assert.equal(physicalCores(bare(4)), 4);
  assert.equal(physicalCores(bare(1)), 1);
});

test("macOS: performance cores from sysctl; Windows: llama.cpp's guess", () => {
  const mac = (values: Record<string, number>): CpuProbe => ({
    platform: "darwin",
    logical: 12,
    read: () => undefined,
    sysctl: (name) => values[name],
  });
  assert.equal(physicalCores(mac({ "hw.perflevel0.physicalcpu": 8, "hw.physicalcpu": 12 })), 8);
  assert.equal(physicalCores(mac({ "hw.physicalcpu": 6 })), 6);
  assert.equal(physicalCores(mac({})), 6);
  const win = (logical: number): CpuProbe => ({
    platform: "win32",
    logical,
    read: () => undefined,
    sysctl: () => undefined,
  });
  assert.equal(physicalCores(win(16)), 8);
  assert.equal(physicalCores(win(3)), 3);
});

test("the machine's own count is a positive whole number", () => {
  const n = physicalCores();
  assert.ok(Number.isInteger(n) && n >= 1, String(n));
});

test("cpuList reads Linux's list form", () => {
  assert.deepEqual(cpuList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(cpuList("5"), [5]);
  assert.equal(cpuList(""), undefined);
  assert.equal(cpuList("0-x"), undefined);
  assert.equal(cpuList(undefined), undefined);
});
