/**
 * Whether a GPU backend really computes, found out in a child process. A prebuilt llama.cpp binary
 * can load and pass node-llama-cpp's own binary test yet abort the process at its first decode: a
 * CUDA build whose kernels are PTX for a newer toolkit than the driver ("the provided PTX was
 * compiled with an unsupported toolchain"), or one without code for the card's architecture. ggml
 * aborts instead of throwing, so only another process can survive finding out; Ollama discovers
 * GPUs through a runner subprocess for the same reason.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

export type GpuCheckResult = { ok: true; ms: number } | { ok: false; reason: string; ms: number };

export interface GpuCheckOptions {
  /** The program to run. Default: this Node (process.execPath). */
  command?: string;
  /** Its arguments. Default: the child entry (`childEntry`) and the GPU type. */
  args?: string[];
  /** The compiled child script, when `args` is not given. Default: gpu-check-child.js beside this module. */
  childEntry?: string;
  /**
   * How long the child may take before it is killed and the check fails. Default 180 s: the first
   * run of a PTX-only binary JIT-compiles every kernel, which can take a minute (and fills the
   * driver's JIT cache, so the server's own load after it is quick).
   */
  timeoutMs?: number;
  /**
   * The child's environment. Default: this process's, plus GGML_NO_BACKTRACE=1 so that an abort
   * does not first spend seconds attaching gdb to print a stack nobody reads.
   */
  env?: NodeJS.ProcessEnv;
}

export const GPU_CHECK_CHILD = fileURLToPath(new URL("./gpu-check-child.js", import.meta.url));

const DEFAULT_TIMEOUT_MS = 180_000;
// Enough of each stream for the last lines; llama.cpp's load log before them can be long.
const KEEP_CHARS = 32 * 1024;
const REASON_LINES = 3;
const REASON_LINE_CHARS = 240;
// ggml reports its errors as ordinary log lines among many others; these are the ones to show.
const ERROR_LINE = /error|abort|fail|fatal|exception|unsupported|panic/i;

/** Runs the child and never rejects: every way it can go wrong is a failed check with a reason. */
export function checkGpu(gpu: string, opts: GpuCheckOptions = {}): Promise<GpuCheckResult> {
  const started = performance.now();
  const command = opts.command ?? process.execPath;
  const args = opts.args ?? [opts.childEntry ?? GPU_CHECK_CHILD, gpu];
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const env = opts.env ?? { ...process.env, GGML_NO_BACKTRACE: "1" };

  return new Promise((resolve) => {
    const finish = (reason: string | undefined) => {
      const ms = Math.round(performance.now() - started);
      resolve(reason === undefined ? { ok: true, ms } : { ok: false, reason, ms });
    };
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      finish(`could not start the check: ${(err as Error).message}`);
      return;
    }

    let stdout = "";
    let stderr = "";
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      // Exited but its pipes are held open by a grandchild: judge by what came back.
      if (exit) return settle(verdict(exit, stdout, stderr));
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const settle = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish(reason);
    };

    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout = (stdout + s).slice(-KEEP_CHARS)));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-KEEP_CHARS)));
    child.on("error", (err) => settle(`could not start the check: ${err.message}`));
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // After a kill, a grandchild may still hold the pipes open; the answer is known already.
      if (timedOut) settle(`no result within ${timeoutMs / 1000} s${detail(stdout, stderr)}`);
    });
    // "close" comes after the pipes are drained, so the last lines are in.
    child.on("close", (code, signal) => settle(verdict(exit ?? { code, signal }, stdout, stderr)));
  });
}

function verdict(
  exit: { code: number | null; signal: NodeJS.Signals | null },
  stdout: string,
  stderr: string,
): string | undefined {
  if (exit.signal) return `killed by ${exit.signal}${detail(stdout, stderr)}`;
  if (exit.code !== 0) return `exit code ${exit.code}${detail(stdout, stderr)}`;
  if (!reportedOk(stdout)) return `exited without reporting a result${detail(stdout, stderr)}`;
  return undefined;
}

function reportedOk(stdout: string): boolean {
  return lines(stdout).some((line) => {
    if (!line.startsWith("{")) return false;
    try {
      return (JSON.parse(line) as { ok?: unknown }).ok === true;
    } catch {
      return false;
    }
  });
}

/**
 * The last few error-looking lines of both streams (llama.cpp logs ggml-cuda's message on stdout
 * and ggml_abort's line on stderr), else the last lines of stderr, else of stdout.
 */
function detail(stdout: string, stderr: string): string {
  const err = lines(stderr);
  const out = lines(stdout);
  const flagged = [...out, ...err].filter((l) => ERROR_LINE.test(l));
  const picked = flagged.length > 0 ? flagged : err.length > 0 ? err : out;
  const shown = [...new Set(picked)].slice(-REASON_LINES).map((l) => l.slice(0, REASON_LINE_CHARS));
  return shown.length > 0 ? `: ${shown.join(" | ")}` : "";
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
