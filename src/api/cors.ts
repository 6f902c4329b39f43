/** CORS as Ollama configures it: allowed origins with `*` wildcards, browser extensions, a fixed header list. */
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

const extensionSchemes = [
  "chrome-extension://",
  "safari-extension://",
  "moz-extension://",
  "ms-browser-extension://",
];

export function originMatcher(origins: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const o of origins) {
    if (o === "*") return () => true;
    if (o.includes("*")) {
      const [before, after] = [o.slice(0, o.indexOf("*")), o.slice(o.indexOf("*") + 1)];
      patterns.push(new RegExp(`^${escape(before)}.*${escape(after)}$`));
    } else exact.add(o);
  }
  return (origin) =>
    exact.has(origin) ||
    patterns.some((p) => p.test(origin)) ||
    extensionSchemes.some((s) => origin.startsWith(s));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
