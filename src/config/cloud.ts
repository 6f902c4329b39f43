/**
 * Ollama's cloud switch (OLLAMA_NO_CLOUD, or `disable_ollama_cloud` in ~/.ollama/server.json), as
 * /api/status reports it. tollama reaches no cloud, so it only reports where a switch was set.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Which setting turned the cloud off, in Ollama's words. */
export type CloudSource = "none" | "env" | "config" | "both";

/** ~/.ollama/server.json's `disable_ollama_cloud`; a missing or unreadable file counts as unset. */
export function serverJsonDisablesCloud(path = join(homedir(), ".ollama", "server.json")): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null && "disable_ollama_cloud" in parsed
      ? parsed.disable_ollama_cloud === true
      : false;
  } catch {
    return false;
  }
}

export function cloudSource(envDisabled: boolean, configDisabled: boolean): CloudSource {
  if (envDisabled && configDisabled) return "both";
  if (envDisabled) return "env";
  return configDisabled ? "config" : "none";
}
