// Go's time.Duration text for --keepalive and the timing stats, so both read and print exactly as
// Ollama's CLI does. Nanoseconds as plain numbers: CLI durations stay far below 2^53 ns.
import { formatGoDuration as formatNs, parseGoDuration as parseNs } from "../util/duration.js";

/** Nanoseconds from a Go duration string ("300ms", "-1.5h", "2h45m"); errors are Go's. */
export function parseGoDuration(s: string): number {
  return Number(parseNs(s));
}

export function formatGoDuration(ns: number): string {
  return formatNs(ns);
}

/** The JSON form of a Go api.Duration (negative means forever). */
export function keepAliveJson(ns: number): string | number {
  return ns < 0 ? -1 : formatGoDuration(ns);
}
