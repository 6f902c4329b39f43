/**
 * Ollama's defence against DNS rebinding: a server bound to a loopback address answers only
 * requests whose Host names this machine (an IP of it, a private or loopback IP, localhost, its
 * hostname, or a .localhost/.local/.internal name). Otherwise a web page whose domain was made to
 * resolve to 127.0.0.1 could drive the whole API (create, delete, pull) from a browser.
 */
import { isIP } from "node:net";
import { hostname, networkInterfaces } from "node:os";

/** Where the names and addresses the check accepts come from; tests pass their own. */
export interface HostFacts {
  hostname(): string;
  /** This machine's own interface addresses. */
  localAddresses(): string[];
}

const systemFacts: HostFacts = {
  hostname,
  localAddresses: () =>
    Object.values(networkInterfaces())
      .flat()
      .flatMap((i) => (i ? [i.address] : [])),
};

/** True when a server bound to `boundAddress` must check Host headers (a loopback bind). */
export function checksHosts(boundAddress: string): boolean {
  return isLoopback(boundAddress);
}

/** Whether a request with this Host header may reach a loopback-bound server. */
export function hostAllowed(header: string | undefined, facts: HostFacts = systemFacts): boolean {
  const host = stripPort(header ?? "");
  if (isIP(host) !== 0) {
    return (
      isLoopback(host) || isPrivate(host) || isUnspecified(host) || facts.localAddresses().includes(host)
    );
  }
  const name = host.toLowerCase();
  if (name === "" || name === "localhost" || name === facts.hostname().toLowerCase()) return true;
  return [".localhost", ".local", ".internal"].some((tld) => name.endsWith(tld));
}

/** "host:port", "[v6]:port" or a bare host, as Go's net.SplitHostPort falls back to the whole. */
function stripPort(header: string): string {
  const v6 = /^\[([^\]]+)\](?::\d*)?$/.exec(header);
  if (v6) return v6[1] ?? "";
  const colon = header.lastIndexOf(":");
  return colon >= 0 && header.indexOf(":") === colon ? header.slice(0, colon) : header;
}

function isLoopback(ip: string): boolean {
  return ip === "::1" || /^127\./.test(ip) || /^::ffff:127\./i.test(ip);
}

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

function isPrivate(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split(".").map(Number);
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return /^f[cd][0-9a-f]{2}:/i.test(ip);
}
