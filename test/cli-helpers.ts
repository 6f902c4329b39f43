// Drives the real `tollama` binary as a user would: child processes for `serve` and for each
// command, with OLLAMA_HOST pointing at the server. Every child and temp dir is cleaned up by
// `stopAll`, also when a test fails.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFetch } from "../src/cli/http.js";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(REPO, "bin", "tollama.cjs");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** Ports that fetch (and so every Node HTTP client built on it) refuses to dial. */
const BLOCKED = new Set([6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080]);

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
      });
    });
    if (port > 0 && !BLOCKED.has(port)) return port;
  }
}

/** Runs `tollama ARGS`, optionally with piped stdin, and collects everything it prints. */
export function tollama(
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    input?: string;
    timeoutMs?: number;
    cwd?: string;
    /** Sent once the command has printed something on stdout (a user's Ctrl+C mid-answer). */
    signalOnOutput?: NodeJS.Signals;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.add(child);
    let stdout = "";
    let stderr = "";
    let signalled = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
      if (opts.signalOnOutput && !signalled && stdout.trim() !== "") {
        signalled = true;
        child.kill(opts.signalOnOutput);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tollama ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

export interface ServeProcess {
  child: ChildProcess;
  host: string;
  url: string;
  /** Everything printed so far (the server logs to stderr). */
  output(): string;
  /** Sends a signal and waits for the exit; SIGKILL after `graceMs`. */
  stop(
    signal?: NodeJS.Signals,
    graceMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Starts `tollama serve` on a free port and waits until GET / answers. */
export async function startServe(env: NodeJS.ProcessEnv, port?: number): Promise<ServeProcess> {
  port ??= await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: REPO,
    env: { ...process.env, OLLAMA_NUM_THREAD: "1", ...env, OLLAMA_HOST: host },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => (out += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  let alive = true;
  void exited.then(() => (alive = false));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (!alive) throw new Error(`tollama serve exited early:\n${out}`);
    try {
      // fetch refuses some ports (6666, ...); the CLI's own client does not.
      const res = await nodeFetch(`http://${host}/`);
      await res.text();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`tollama serve did not answer within 20 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    child,
    host,
    url: `http://${host}`,
    output: () => out,
    async stop(signal = "SIGTERM", graceMs = 5000) {
      const t0 = Date.now();
      if (alive) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const res = await exited;
      clearTimeout(timer);
      return { ...res, ms: Date.now() - t0 };
    },
  };
}

/** Kills every child still running (after a failed test). */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
