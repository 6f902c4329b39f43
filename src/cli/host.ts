// Where the CLI connects: OLLAMA_HOST parsed as Ollama's envconfig.Host does, then made
// connectable (a bind-all address such as 0.0.0.0 is dialled as loopback).
import { isIP } from "node:net";

const DEFAULT_PORT = "11434";

/** Go's net.SplitHostPort, enough for host:port and [v6]:port; undefined where Go errors. */
function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  if (hostport.startsWith("[")) {
    const end = hostport.indexOf("]");
    if (end < 0 || hostport[end + 1] !== ":") return undefined;
    return { host: hostport.slice(1, end), port: hostport.slice(end + 2) };
  }
  const i = hostport.lastIndexOf(":");
  if (i < 0 || hostport.indexOf(":") !== i) return undefined;
  return { host: hostport.slice(0, i), port: hostport.slice(i + 1) };
}

function normalizeIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface HostUrl {
  scheme: string;
  host: string;
  port: string;
  path: string;
}

/** OLLAMA_HOST as the server would bind it (scheme http, host 127.0.0.1, port 11434 by default). */
export function parseHost(value: string | undefined): HostUrl {
  // Ollama's envconfig.Var also drops quotes around the value.
  const s = (value ?? "")
    .trim()
    .replace(/^["']+|["']+$/g, "")
    .trim();
  let defaultPort = DEFAULT_PORT;
  let scheme = "http";
  let hostport = s;
  const sep = s.indexOf("://");
  if (sep < 0) {
    if (s === "ollama.com") {
      scheme = "https";
      hostport = "ollama.com:443";
    }
  } else {
    scheme = s.slice(0, sep);
    hostport = s.slice(sep + 3);
    if (scheme === "http") defaultPort = "80";
    else if (scheme === "https") defaultPort = "443";
  }

  const slash = hostport.indexOf("/");
  const path = slash < 0 ? "" : hostport.slice(slash + 1);
  if (slash >= 0) hostport = hostport.slice(0, slash);

  let split = splitHostPort(hostport);
  if (split === undefined) {
    const bare = hostport.replace(/^\[+|\]+$/g, "");
    const host = isIP(bare) ? normalizeIp(bare) : hostport !== "" ? hostport : "127.0.0.1";
    split = { host, port: defaultPort };
  }
  const n = /^[+-]?\d+$/.test(split.port) ? Number(split.port) : NaN;
  const port = Number.isInteger(n) && n >= 0 && n <= 65535 ? String(n) : defaultPort;
  return { scheme, host: split.host, port, path };
}

/** The base URL the CLI sends requests to. */
export function clientBaseUrl(value: string | undefined): string {
  const h = parseHost(value);
  let host = h.host;
  // An empty host (":11434") dials the local machine in Go; so do unspecified addresses.
  if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
  else if (isIP(host) === 6 && normalizeIp(host) === "::") host = "::1";
  const path = h.path ? `/${h.path.replace(/\/+$/, "")}` : "";
  return `${h.scheme}://${joinHostPort(host, h.port)}${path}`;
}
