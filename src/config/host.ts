/** OLLAMA_HOST, parsed with Ollama's rules: optional scheme, bare IPs, default port by scheme. */
import { isIP } from "node:net";

export interface HostAddress {
  scheme: string;
  /** Hostname or IP, without brackets. */
  hostname: string;
  port: number;
  path: string;
  /** scheme://host:port[/path] as a client would dial it. */
  url: string;
}

export function parseHost(raw: string, warn: (m: string) => void = () => {}): HostAddress {
  const s = raw.trim();
  let defaultPort = "11434";
  let scheme = "http";
  let hostport = s;
  const sep = s.indexOf("://");
  if (sep >= 0) {
    scheme = s.slice(0, sep);
    hostport = s.slice(sep + 3);
    if (scheme === "http") defaultPort = "80";
    else if (scheme === "https") defaultPort = "443";
  } else if (s === "ollama.com") {
    scheme = "https";
    hostport = "ollama.com:443";
  }
  const slash = hostport.indexOf("/");
  const path = slash >= 0 ? hostport.slice(slash + 1) : "";
  if (slash >= 0) hostport = hostport.slice(0, slash);

  let split = splitHostPort(hostport);
  if (!split) {
    const bare = hostport.replace(/^\[|\]$/g, "");
    split = { host: isIP(bare) ? bare : hostport !== "" ? hostport : "127.0.0.1", port: defaultPort };
  }
  let port = split.port;
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) {
    warn(`invalid port, using default: port=${port} default=${defaultPort}`);
    port = defaultPort;
  }
  const hostname = split.host;
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    scheme,
    hostname,
    port: Number(port),
    path,
    url: `${scheme}://${shown}:${port}${path ? `/${path}` : ""}`,
  };
}

/** Go's net.SplitHostPort: "h:p", "[v6]:p"; undefined when there is no port. */
function splitHostPort(s: string): { host: string; port: string } | undefined {
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0 || s[end + 1] !== ":") return undefined;
    return { host: s.slice(1, end), port: s.slice(end + 2) };
  }
  const i = s.lastIndexOf(":");
  if (i < 0 || s.indexOf(":") !== i) return undefined;
  return { host: s.slice(0, i), port: s.slice(i + 1) };
}
