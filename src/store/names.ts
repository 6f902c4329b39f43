// Model names as Ollama's types/model package understands them:
// [scheme://][host/][namespace/]model[:tag]. Current Ollama no longer parses `@digest`, so neither
// do we: `m@sha256:x` splits at the colon and fails validation, as it does there.
import path from "node:path";
import { InvalidNameError, type NameRole } from "./errors.js";

export const DEFAULT_HOST = "registry.ollama.ai";
export const DEFAULT_NAMESPACE = "library";
export const DEFAULT_TAG = "latest";
export const DEFAULT_SCHEME = "https";

/** Marks a part promised by a separator but empty; it can never pass validation. */
export const MISSING_PART = "!MISSING!";

export interface ModelName {
  host: string;
  namespace: string;
  model: string;
  tag: string;
  /** Only set when the input carried `scheme://`; it is not part of the on-disk path. */
  scheme?: string;
}

export type PartKind = "host" | "namespace" | "model" | "tag" | "digest";

/** Splits at the last `sep`; empty sides become MISSING_PART so they fail validation. */
function cutLastPromised(s: string, sep: string): [before: string, after: string] | undefined {
  const i = s.lastIndexOf(sep);
  if (i < 0) return undefined;
  return [s.slice(0, i) || MISSING_PART, s.slice(i + sep.length) || MISSING_PART];
}

/** Parses without filling defaults; absent parts are "". The result may be invalid. */
export function parseNameBare(input: string): ModelName {
  const n: ModelName = { host: "", namespace: "", model: "", tag: "" };
  let s = input;

  // A tag can hold no "/", so a colon after the last slash is the tag separator; one before it
  // belongs to a host:port.
  if (s.lastIndexOf(":") > s.lastIndexOf("/")) {
    const cut = cutLastPromised(s, ":");
    if (cut) [s, n.tag] = cut;
  }

  const modelCut = cutLastPromised(s, "/");
  if (!modelCut) {
    n.model = s;
    return n;
  }
  [s, n.model] = modelCut;

  const nsCut = cutLastPromised(s, "/");
  if (!nsCut) {
    n.namespace = s;
    return n;
  }
  [s, n.namespace] = nsCut;

  const schemeAt = s.indexOf("://");
  if (schemeAt >= 0) {
    n.scheme = s.slice(0, schemeAt);
    n.host = s.slice(schemeAt + 3);
  } else {
    n.host = s;
  }
  return n;
}

/** Parses and fills Ollama's defaults for host, namespace and tag. The result may be invalid. */
export function parseName(input: string): ModelName {
  const n = parseNameBare(input);
  return {
    ...n,
    host: n.host || DEFAULT_HOST,
    namespace: n.namespace || DEFAULT_NAMESPACE,
    tag: n.tag || DEFAULT_TAG,
  };
}

function isAlnumOrUnderscore(c: string): boolean {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c === "_";
}

function maxLength(kind: PartKind): number {
  return kind === "host" ? 350 : 80;
}

/** Ollama's per-part rules; first character alphanumeric or `_`, so `.`/`..` can never pass. */
export function isValidPart(kind: PartKind, s: string): boolean {
  if (s.length < 1 || s.length > maxLength(kind)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    if (i === 0) {
      if (!isAlnumOrUnderscore(c)) return false;
      continue;
    }
    if (c === "_" || c === "-") continue;
    if (c === ".") {
      if (kind === "namespace") return false;
      continue;
    }
    if (c === ":") {
      if (kind !== "host" && kind !== "digest") return false;
      continue;
    }
    if (!isAlnumOrUnderscore(c)) return false;
  }
  return true;
}

export function isValidNamespace(s: string): boolean {
  return isValidPart("namespace", s);
}

/** All four parts present and valid: the only names that map to a manifest path. */
export function isFullyQualified(n: ModelName): boolean {
  return (
    isValidPart("host", n.host) &&
    isValidPart("namespace", n.namespace) &&
    isValidPart("model", n.model) &&
    isValidPart("tag", n.tag)
  );
}

/** `host/namespace/model:tag`, skipping empty parts (no scheme). */
export function nameToString(n: ModelName): string {
  let out = "";
  if (n.host) out += `${n.host}/`;
  if (n.namespace) out += `${n.namespace}/`;
  out += n.model;
  if (n.tag) out += `:${n.tag}`;
  return out;
}

/** How /api/tags and /api/ps print names: defaults elided, the tag always kept. */
export function displayShortest(n: ModelName): string {
  const sameHost = n.host.toLowerCase() === DEFAULT_HOST;
  const sameNamespace = n.namespace.toLowerCase() === DEFAULT_NAMESPACE;
  let prefix = "";
  if (!sameHost) prefix = `${n.host}/${n.namespace}/`;
  else if (!sameNamespace) prefix = `${n.namespace}/`;
  return `${prefix}${n.model}:${n.tag}`;
}

/** Relative manifest path `host/namespace/model/tag`; refuses names that are not fully qualified. */
export function nameFilepath(n: ModelName): string {
  if (!isFullyQualified(n)) throw new InvalidNameError(nameToString(n));
  return path.join(n.host, n.namespace, n.model, n.tag);
}

/** Inverse of nameFilepath; undefined unless exactly four valid parts. */
export function parseNameFromFilepath(rel: string): ModelName | undefined {
  const parts = rel.split(path.sep);
  if (parts.length !== 4) return undefined;
  const [host = "", namespace = "", model = "", tag = ""] = parts;
  const n = { host, namespace, model, tag };
  return isFullyQualified(n) ? n : undefined;
}

/** Ollama compares names part by part, ignoring case (Go's EqualFold, ASCII here). */
export function namesEqualFold(a: ModelName, b: ModelName): boolean {
  return (
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.namespace.toLowerCase() === b.namespace.toLowerCase() &&
    a.model.toLowerCase() === b.model.toLowerCase() &&
    a.tag.toLowerCase() === b.tag.toLowerCase()
  );
}

/** Parses with defaults and throws InvalidNameError (worded for `role`) unless fully qualified. */
export function parseModelName(input: string, role: NameRole = "model"): ModelName {
  const n = parseName(input);
  if (!isFullyQualified(n)) throw new InvalidNameError(input, role);
  return n;
}

const PARTS = ["host", "namespace", "model", "tag"] as const;

/**
 * Maps a requested name onto the spelling already on disk, so `LLAMA3` finds `llama3` and a new
 * tag of an existing model lands in the existing folder even on case-sensitive filesystems.
 * Ollama (getExistingName) adopts each part independently from any manifest whose part matches
 * ignoring case; we first look for a whole-name match (preferring exact case), which gives the
 * same answer whenever Ollama's is deterministic, then fall back to its per-part rule.
 */
export function canonicaliseName(n: ModelName, existing: readonly ModelName[]): ModelName {
  const whole = existing.filter((e) => namesEqualFold(e, n));
  const exact = whole.find((e) => PARTS.every((p) => e[p] === n[p]));
  const match = exact ?? whole[0];
  if (match)
    return { ...n, host: match.host, namespace: match.namespace, model: match.model, tag: match.tag };

  const out: ModelName = { ...n };
  for (const part of PARTS) {
    const want = n[part].toLowerCase();
    const candidates = existing.map((e) => e[part]).filter((v) => v.toLowerCase() === want);
    if (candidates.length > 0 && !candidates.includes(n[part])) out[part] = candidates.sort()[0] ?? n[part];
  }
  return out;
}
