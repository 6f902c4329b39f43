// Just enough of Ollama's model name rules for the CLI: validating `create` names and showing
// where `push` put a model. The server owns the real name handling.

export interface ModelName {
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

export const DEFAULT_NAME: ModelName = {
  host: "registry.ollama.ai",
  namespace: "library",
  model: "",
  tag: "latest",
};

function cutLast(s: string, sep: string): [string, string] | undefined {
  const i = s.lastIndexOf(sep);
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Splits host/namespace/model:tag, filling what is missing from the defaults. */
export function parseModelName(s: string): ModelName {
  const n: Partial<ModelName> = {};
  let rest = s;
  if (rest.lastIndexOf(":") > rest.lastIndexOf("/")) {
    const [before, tag] = cutLast(rest, ":") ?? [rest, ""];
    rest = before;
    n.tag = tag;
  }
  const parts = rest.split("/");
  n.model = parts.pop() ?? "";
  if (parts.length > 0) n.namespace = parts.pop();
  if (parts.length > 0) n.host = parts.join("/").replace(/^[a-z]+:\/\//, "");
  return {
    host: n.host ?? DEFAULT_NAME.host,
    namespace: n.namespace ?? DEFAULT_NAME.namespace,
    model: n.model,
    tag: n.tag ?? DEFAULT_NAME.tag,
  };
}

type Kind = "host" | "namespace" | "model" | "tag";

function isValidPart(kind: Kind, s: string): boolean {
  const max = kind === "host" ? 350 : 80;
  if (s.length < 1 || s.length > max) return false;
  if (!/^[A-Za-z0-9_]/.test(s)) return false;
  for (const c of s.slice(1)) {
    if (/[A-Za-z0-9_-]/.test(c)) continue;
    if (c === "." && kind !== "namespace") continue;
    if (c === ":" && kind === "host") continue;
    return false;
  }
  return true;
}

export function isValidModelName(s: string): boolean {
  const n = parseModelName(s);
  return (
    isValidPart("host", n.host) &&
    isValidPart("namespace", n.namespace) &&
    isValidPart("model", n.model) &&
    isValidPart("tag", n.tag)
  );
}

export function fullName(n: ModelName): string {
  return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
}

/** The shortest form that names the same model (Ollama's DisplayShortest). */
export function shortName(n: ModelName): string {
  if (n.host !== DEFAULT_NAME.host) return fullName(n);
  if (n.namespace !== DEFAULT_NAME.namespace) return `${n.namespace}/${n.model}:${n.tag}`;
  return `${n.model}:${n.tag}`;
}
