import { readFileSync } from "node:fs";
import { println, type Ctx } from "../context.js";

/** This client's version, from package.json (dist/src/cli/commands -> repository root). */
export function clientVersion(): string {
  for (const rel of ["../../../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "tollama" && pkg.version) return pkg.version;
    } catch {
      // Try the next layout (running from src/ rather than dist/).
    }
  }
  return "0.0.0";
}

/** Ollama's `-v`: the server's version, and the client's when they differ or no server answers. */
export async function version(ctx: Ctx, client = clientVersion()): Promise<void> {
  let server = "";
  try {
    server = await ctx.client.version();
  } catch {
    println(ctx.io.stdout, "Warning: could not connect to a running tollama instance");
  }
  if (server) println(ctx.io.stdout, `tollama version is ${server}`);
  if (server !== client) println(ctx.io.stdout, `Warning: client version is ${client}`);
}
