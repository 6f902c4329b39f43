// Registry authentication: the WWW-Authenticate challenge, the OAuth2 token fetch of the Docker
// token protocol (anonymous or with basic credentials), and Basic auth.
import { RegistryHttpError } from "./errors.js";
import { readText, send } from "./http.js";

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="https://x/token",service="x",scope="repository:a/b:pull"`. */
export function parseChallenge(headerValue: string | undefined): Challenge | undefined {
  if (!headerValue) return undefined;
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(headerValue);
  if (!match) return undefined;
  const [, scheme = "", rest = ""] = match;
  const params: Record<string, string> = {};
  // key=token or key="quoted \" string", separated by commas.
  const param = /\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = param.exec(rest)) !== null && m[0] !== "") {
    const key = (m[1] ?? "").toLowerCase();
    params[key] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  }
  return { scheme: scheme.toLowerCase(), params };
}

export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

/** The token endpoint URL: realm plus service and one `scope` per space-separated scope, as Ollama. */
export function tokenUrl(challenge: Challenge): URL {
  const realm = challenge.params.realm;
  if (!realm) throw new Error("registry challenge has no realm");
  const url = new URL(realm);
  const { service, scope } = challenge.params;
  if (service) url.searchParams.append("service", service);
  for (const s of (scope ?? "").split(" ")) if (s) url.searchParams.append("scope", s);
  return url;
}

export interface TokenRequest {
  challenge: Challenge;
  credentials?: Credentials;
  userAgent: string;
  signal?: AbortSignal;
  idleTimeoutMs?: number;
}

/**
 * GETs a token from the challenge's realm. Docker's token servers answer `token`, OAuth2 ones
 * `access_token`; either is accepted.
 */
export async function fetchToken(req: TokenRequest): Promise<string> {
  const url = tokenUrl(req.challenge);
  const headers: Record<string, string> = { "User-Agent": req.userAgent };
  if (req.credentials) headers.Authorization = basicAuthorization(req.credentials);
  const res = await send({
    method: "GET",
    url,
    headers,
    signal: req.signal,
    idleTimeoutMs: req.idleTimeoutMs,
  });
  const body = await readText(res);
  if (res.status >= 400) throw new RegistryHttpError(res.status, body);
  const parsed = JSON.parse(body) as { token?: unknown; access_token?: unknown };
  const token = typeof parsed.token === "string" && parsed.token ? parsed.token : parsed.access_token;
  if (typeof token !== "string" || !token) throw new Error("token response has no token");
  return token;
}
