// Where a model name lives on the wire: Ollama's Name.BaseURL joined with /v2/<ns>/<model>/...
import { parseModelName, type ModelName, type NameRole } from "../store/index.js";
import { InsecureProtocolError } from "./errors.js";

export interface Endpoint {
  name: ModelName;
  /** scheme://host, without a trailing slash. */
  base: URL;
  /** `<namespace>/<model>`, the repository part of every registry path. */
  repository: string;
}

/**
 * Ollama refuses an explicit `http://` unless insecure, and with insecure always speaks plain
 * http, whatever scheme the name carried (makeRequest rewrites it).
 */
export function resolveEndpoint(
  input: string | ModelName,
  insecure = false,
  role: NameRole = "model",
): Endpoint {
  const name = typeof input === "string" ? parseModelName(input, role) : input;
  const scheme = (name.scheme ?? "https").toLowerCase();
  if (scheme === "http" && !insecure) throw new InsecureProtocolError();
  const base = new URL(`${insecure ? "http" : scheme}://${name.host}`);
  return { name, base, repository: `${name.namespace}/${name.model}` };
}

function join(endpoint: Endpoint, ...parts: string[]): URL {
  return new URL(`/v2/${endpoint.repository}/${parts.join("/")}`, endpoint.base);
}

export function manifestUrl(endpoint: Endpoint, reference = endpoint.name.tag): URL {
  return join(endpoint, "manifests", reference);
}

export function blobUrl(endpoint: Endpoint, digest: string): URL {
  return join(endpoint, "blobs", digest);
}

/** The trailing slash matters: distribution answers 404 without it on some versions. */
export function uploadsUrl(endpoint: Endpoint, mount?: { digest: string; from: string }): URL {
  const url = join(endpoint, "blobs", "uploads", "");
  if (mount) {
    url.searchParams.set("mount", mount.digest);
    url.searchParams.set("from", mount.from);
  }
  return url;
}

/** `from` in a manifest layer is a model name; the registry wants its repository. */
export function repositoryOf(from: string): string {
  const n = parseModelName(from);
  return `${n.namespace}/${n.model}`;
}
