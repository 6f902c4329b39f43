/**
 * llama.cpp's own llama-bench on node-llama-cpp's prebuilt CPU kernels (bench/engine): the build
 * in build-dl/ loads its CPU backend at run time from its own folder, as node-llama-cpp's binaries
 * do, so a folder holding a copy of it and the prebuilt libggml-cpu-<variant>.so files makes it
 * pick the very variant tollama runs on. Against the native llama-bench, that separates what the
 * kernels cost from what driving each decode through the addon costs.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./common.js";

/** node-llama-cpp's prebuilt CPU binaries for this platform; undefined where there are none. */
function prebuiltCpuDir(): string | undefined {
  const name = `${process.platform}-${process.arch}`;
  const dir = join(ROOT, "node_modules", "@node-llama-cpp", name, "bins", name);
  return existsSync(dir) ? dir : undefined;
}

const isCpuBackend = (f: string) => /^libggml-cpu[-.]/.test(f);

/**
 * A folder with llama-bench from `dlBin` (build-dl/bin) beside the prebuilt CPU variants; returns
 * its llama-bench, or undefined when either build is missing. Its other libraries are the build's
 * own, found through its RUNPATH: the same llama.cpp commit.
 */
export function prebuiltKernelsBench(dlBin: string | undefined): string | undefined {
  const prebuilt = prebuiltCpuDir();
  if (!dlBin || !prebuilt || !existsSync(join(dlBin, "llama-bench"))) return undefined;
  const variants = readdirSync(prebuilt).filter(isCpuBackend);
  if (variants.length === 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "tollama-kernels-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  // A copy, not a link: the backend loader searches the folder of the executable's real path.
  copyFileSync(join(dlBin, "llama-bench"), join(dir, "llama-bench"));
  // The variants find libggml-base.so beside themselves ($ORIGIN): the build's, so that one copy
  // of ggml's base library is loaded, not two.
  symlinkSync(join(dlBin, "libggml-base.so"), join(dir, "libggml-base.so"));
  for (const f of variants) symlinkSync(join(prebuilt, f), join(dir, f));
  return join(dir, "llama-bench");
}

/** One llama-bench decode run (no prompt) at `threads`; tokens/s. */
export function benchDecode(exe: string, gguf: string, threads: number, tg: number, fa: string): number {
  const text = execFileSync(
    exe,
    ["-m", gguf, "-t", String(threads), "-p", "0", "-n", String(tg), "-r", "1", "-fa", fa, "-o", "json"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 << 20 },
  );
  const runs = JSON.parse(text) as { avg_ts: number }[];
  return runs[0]?.avg_ts ?? NaN;
}
