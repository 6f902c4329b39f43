import { readFileSync } from "node:fs";
import { println, type Ctx } from "../context.js";

export interface ClientVersion {
  /** tollama's own version. */
  tollama: string;
  /** The Ollama release whose API it follows: what a tollama server's /api/version answers. */
  ollama: string;
}

/** This client's versions, from package.json (dist/src/cli/commands -> repository root). */
export function clientVersion(): ClientVersion {
  for (const rel of ["../../../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
        ollamaVersion?: string;
      };
      if (pkg.name === "tollama" && pkg.version)
        return { tollama: pkg.version, ollama: pkg.ollamaVersion ?? "" };
    } catch {
      // Try the next layout (running from src/ rather than dist/).
    }
  }
  return { tollama: "0.0.0", ollama: "" };
}

/**
 * Ollama's `-v`: the server's version, and the client's when they differ or no server answers. A
 * tollama server answers the Ollama API version it follows, so that is what "differ" compares.
 */
export async function version(ctx: Ctx, client = clientVersion()): Promise<void> {
  let server = "";
  try {
    server = await ctx.client.version();
  } catch {
    println(ctx.io.stdout, "Warning: could not connect to a running tollama instance");
  }
  const own = `${client.tollama} (Ollama API ${client.ollama})`;
  if (server === client.ollama) return println(ctx.io.stdout, `tollama version is ${own}`);
  if (server) println(ctx.io.stdout, `server version is ${server}`);
  println(ctx.io.stdout, `Warning: client version is ${own}`);
}
