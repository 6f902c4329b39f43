/**
 * The default thread count: llama.cpp's own rule (common_cpu_get_num_math, what llama-bench and
 * llama-server use, and so Ollama, which leaves -t unset), one thread per physical performance
 * core. Hyperthreads and efficiency cores only slow ggml's lockstep threads. Unlike llama.cpp, the
 * count also respects the CPUs this process may run on (a container's cpuset) and a cgroup CPU
 * quota (`docker run --cpus`): threads beyond them only queue behind each other at every barrier.
 */
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** What the count is read from; tests pass their own. */
export interface CpuProbe {
  platform: NodeJS.Platform;
  /** Logical CPUs this process may use (os.availableParallelism). */
  logical: number;
  /** A file's text, or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /** A numeric sysctl (macOS), or undefined. */
  sysctl(name: string): number | undefined;
}

let own: number | undefined;

/** The count for `probe`, or for this machine (read once: macOS asks sysctl in a child process). */
export function physicalCores(probe?: CpuProbe): number {
  if (probe) return count(probe);
  own ??= count(systemProbe());
  return own;
}

function count(probe: CpuProbe): number {
  const cores =
    (probe.platform === "linux" ? linuxCores(probe) : undefined) ??
    (probe.platform === "darwin" ? darwinCores(probe) : undefined) ??
    fallbackCores(probe.logical);
  const quota = probe.platform === "linux" ? cgroupCpus(probe) : undefined;
  return Math.max(1, Math.min(cores, quota ?? Infinity));
}

/** llama.cpp's guess where the topology is unknown (Windows here): SMT assumed beyond 4. */
function fallbackCores(logical: number): number {
  return logical <= 4 ? Math.max(1, logical) : Math.floor(logical / 2);
}

const SYS_CPU = "/sys/devices/system/cpu";

/** Distinct sibling sets among the allowed CPUs, leaving out a hybrid Intel's Atom cores. */
function linuxCores(p: CpuProbe): number | undefined {
  const allowed = cpuList(statusField(p.read("/proc/self/status"), "Cpus_allowed_list"));
  const online = cpuList(p.read(`${SYS_CPU}/online`));
  let cpus = allowed ?? online;
  if (!cpus) return undefined;
  if (allowed && online) cpus = allowed.filter((c) => online.includes(c));
  const atoms = cpuList(p.read("/sys/devices/cpu_atom/cpus")) ?? [];
  const performance = cpus.filter((c) => !atoms.includes(c));
  if (performance.length > 0) cpus = performance;
  const cores = new Set<string>();
  for (const cpu of cpus) {
    const siblings = p.read(`${SYS_CPU}/cpu${cpu}/topology/thread_siblings_list`)?.trim();
    if (siblings) cores.add(siblings);
  }
  return cores.size > 0 ? cores.size : cpus.length > 0 ? fallbackCores(cpus.length) : undefined;
}

function darwinCores(p: CpuProbe): number | undefined {
  return p.sysctl("hw.perflevel0.physicalcpu") ?? p.sysctl("hw.physicalcpu");
}

/** Whole CPUs the tightest cgroup quota allows (v2 cpu.max up the tree, or v1's), if any. */
function cgroupCpus(p: CpuProbe): number | undefined {
  const limits: number[] = [];
  const v2 = /^0::(\/.*)$/m.exec(p.read("/proc/self/cgroup") ?? "")?.[1];
  if (v2 !== undefined) {
    for (let dir = v2.replace(/\/+$/, ""); ; dir = dir.slice(0, dir.lastIndexOf("/"))) {
      const [quota, period] = (p.read(`/sys/fs/cgroup${dir}/cpu.max`) ?? "").trim().split(/\s+/);
      if (quota && quota !== "max" && period) limits.push(Number(quota) / Number(period));
      if (dir === "") break;
    }
  }
  const v1Quota = Number(p.read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")?.trim() ?? -1);
  const v1Period = Number(p.read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")?.trim() ?? 0);
  if (v1Quota > 0 && v1Period > 0) limits.push(v1Quota / v1Period);
  const valid = limits.filter((l) => Number.isFinite(l) && l > 0);
  return valid.length > 0 ? Math.max(1, Math.floor(Math.min(...valid))) : undefined;
}

function statusField(status: string | undefined, field: string): string | undefined {
  return status === undefined ? undefined : new RegExp(`^${field}:\\s*(\\S+)`, "m").exec(status)?.[1];
}

/** Linux's CPU list form, "0-3,8,10-11"; undefined when absent or malformed. */
export function cpuList(text: string | undefined): number[] | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  const cpus: number[] = [];
  for (const part of t.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus;
}

function systemProbe(): CpuProbe {
  return {
    platform: process.platform,
    logical: availableParallelism(),
    read: (path) => {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
    sysctl: (name) => {
      try {
        const n = Number(execFileSync("sysctl", ["-n", name], { encoding: "utf8", timeout: 2000 }).trim());
        return Number.isInteger(n) && n > 0 ? n : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
