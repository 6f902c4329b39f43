/** CORS as Ollama configures gin-contrib/cors: allowed origins with `*` wildcards, a fixed header list. */
export const allowedHeaders = [
  "Authorization",
  "Content-Type",
  "User-Agent",
  "Accept",
  "X-Requested-With",
  "OpenAI-Beta",
  "x-stainless-arch",
  "x-stainless-async",
  "x-stainless-custom-poll-interval",
  "x-stainless-helper-method",
  "x-stainless-lang",
  "x-stainless-os",
  "x-stainless-package-version",
  "x-stainless-poll-helper",
  "x-stainless-retry-count",
  "x-stainless-runtime",
  "x-stainless-runtime-version",
  "x-stainless-timeout",
];

/**
 * The origins OLLAMA_ORIGINS (with Ollama's defaults) allows, as gin-contrib/cors matches them: `*`
 * alone allows every origin, and a `*` inside an entry stands for any text. Browser extensions are
 * allowed only where an entry names them (`chrome-extension://*`), as in Ollama.
 */
export interface OriginPolicy {
  allowAll: boolean;
  allows(origin: string): boolean;
}

export function originPolicy(origins: readonly string[]): OriginPolicy {
  if (origins.includes("*")) return { allowAll: true, allows: () => true };
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const o of origins) {
    if (o.includes("*")) {
      const [before, after] = [o.slice(0, o.indexOf("*")), o.slice(o.indexOf("*") + 1)];
      patterns.push(new RegExp(`^${escape(before)}.*${escape(after)}$`));
    } else exact.add(o);
  }
  return { allowAll: false, allows: (origin) => exact.has(origin) || patterns.some((p) => p.test(origin)) };
}

/** A browser's request to the server's own address is not cross-origin: CORS leaves it alone. */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

/** Go's http.CanonicalHeaderKey, which gin-contrib/cors applies to the allowed headers. */
export function canonicalHeaderKey(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
