import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  version: string;
  ollamaVersion: string;
};

/** tollama's own version, from package.json; the startup line and the CLI print it. */
export const version: string = pkg.version;

/**
 * The Ollama release whose API tollama follows (package.json's ollamaVersion). /api/version answers
 * it rather than tollama's own: clients gate features on it (Continue's setup wants 0.6.5 or later,
 * Raycast's Ollama extension 0.6.4), and would call tollama 0.1.0 an Ollama too old to use.
 */
export const ollamaVersion: string = pkg.ollamaVersion;
