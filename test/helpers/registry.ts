// A real CNCF distribution registry (Debian's docker-registry package) for integration tests,
// on 127.0.0.1 with a random port and a throwaway storage folder.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const REGISTRY_BINARY = process.env.TOLLAMA_REGISTRY_BINARY ?? "/usr/bin/docker-registry";

/** The reason to skip registry tests, or undefined when the binary is installed. */
export function registrySkipReason(): string | undefined {
  if (existsSync(REGISTRY_BINARY)) return undefined;
  return `${REGISTRY_BINARY} not installed (apt-get install -y docker-registry)`;
}

export interface RunningRegistry {
  /** host:port, usable as the host part of a model name. */
  host: string;
  url: URL;
  storage: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function configYaml(storage: string, port: number): string {
  return [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${storage}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "  secret: tollama-test-secret",
    "",
  ].join("\n");
}

async function waitReady(url: URL, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr()}`);
    try {
      const res = await fetch(new URL("/v2/", url));
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not start: ${stderr()}`);
}

export async function startRegistry(): Promise<RunningRegistry> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "tollama-registry-"));
  const storage = path.join(dir, "storage");
  const port = await freePort();
  const config = path.join(dir, "config.yml");
  await fs.writeFile(config, configYaml(storage, port));
  const child = spawn(REGISTRY_BINARY, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = new URL(`http://127.0.0.1:${port}`);
  // A test process that dies without stop() must not leave a registry running.
  const reap = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", reap);
  try {
    await waitReady(url, child, () => stderr);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    storage,
    async stop() {
      process.off("exit", reap);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
