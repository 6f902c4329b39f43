/**
 * Ollama's model references (internal/modelref): a model name that may end in a source suffix,
 * `:local` (this machine's store) or `:cloud` / a tag ending in `-cloud` (ollama.com's hosted
 * models). tollama has no cloud, so a cloud reference is answered as Ollama answers it with cloud
 * use turned off.
 */
import { OllamaError } from "./errors.js";
import { goQuote } from "../util/goquote.js";

export type ModelSource = "unspecified" | "local" | "cloud";

export interface ModelRef {
  /** The name without its source suffix. */
  base: string;
  source: ModelSource;
}

/** The source a suffix names, and the name before it; undefined when there is none. */
function sourceSuffix(raw: string): { base: string; source: ModelSource } | undefined {
  const colon = raw.lastIndexOf(":");
  if (colon < 0) return undefined;
  const tag = raw.slice(colon + 1).trim();
  const lower = tag.toLowerCase();
  if (lower === "cloud") return { base: raw.slice(0, colon), source: "cloud" };
  if (lower === "local") return { base: raw.slice(0, colon), source: "local" };
  // a legacy cloud tag, "gpt-oss:20b-cloud", unless the colon was a registry port's
  if (!tag.includes("/") && lower.endsWith("-cloud"))
    return { base: raw.slice(0, colon + 1) + tag.slice(0, -"-cloud".length), source: "cloud" };
  return undefined;
}

/**
 * Parses a request's model field; undefined when it is empty (each handler has its own answer to
 * that). Throws Ollama's 400 for a name with both suffixes.
 */
export function parseModelRef(raw: string): ModelRef | undefined {
  const trimmed = raw.trim();
  if (trimmed === "") return undefined;
  const suffix = sourceSuffix(trimmed);
  if (!suffix) return { base: trimmed, source: "unspecified" };
  if (sourceSuffix(suffix.base))
    throw new OllamaError(400, `use either :local or :cloud, not both: ${goQuote(trimmed)}`);
  return suffix;
}

/** Ollama's answer to a cloud model when cloud use is off (what tollama always is). */
export function cloudDisabled(operation: "inference" | "details"): OllamaError {
  const what =
    operation === "inference" ? "remote model is unavailable" : "remote model details are unavailable";
  return new OllamaError(403, `ollama cloud is disabled: ${what}`);
}
