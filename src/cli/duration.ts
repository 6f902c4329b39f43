// Go's time.Duration text: ParseDuration for --keepalive and String for timing stats, so both
// read and print exactly as Ollama's CLI does.

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  "μs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds from a Go duration string ("300ms", "-1.5h", "2h45m"); errors are Go's. */
export function parseGoDuration(s: string): number {
  const invalid = (): Error => new Error(`time: invalid duration "${s}"`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest.startsWith("-")) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = m?.[1] ?? "";
    const frac = m?.[2];
    if (!m || (whole === "" && (frac === undefined || frac === ""))) throw invalid();
    rest = rest.slice(m[0].length);
    const unit = /^[^\d.]+/.exec(rest)?.[0];
    if (unit === undefined) throw new Error(`time: missing unit in duration "${s}"`);
    const scale = UNITS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit "${unit}" in duration "${s}"`);
    rest = rest.slice(unit.length);
    total += Number(`${whole || "0"}.${frac ?? "0"}`) * scale;
  }
  return sign * Math.round(total);
}

function trimFraction(n: number, digits: number): string {
  const s = n.toFixed(digits);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Go's Duration.String ("1h2m3.5s", "523.4ms", "0s") from nanoseconds. */
export function formatGoDuration(ns: number): string {
  let d = Math.round(ns);
  if (d === 0) return "0s";
  const neg = d < 0;
  d = Math.abs(d);
  let out: string;
  if (d < 1e3) out = `${d}ns`;
  else if (d < 1e6) out = `${trimFraction(d / 1e3, 3)}µs`;
  else if (d < 1e9) out = `${trimFraction(d / 1e6, 6)}ms`;
  else {
    const h = Math.floor(d / 3600e9);
    const m = Math.floor((d % 3600e9) / 60e9);
    const sNs = d % 60e9;
    const secs = `${Math.floor(sNs / 1e9)}${fractionOf(sNs % 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${secs}` : m > 0 ? `${m}m${secs}` : secs;
  }
  return neg ? `-${out}` : out;
}

function fractionOf(ns: number): string {
  if (ns === 0) return "";
  return `.${String(ns).padStart(9, "0").replace(/0+$/, "")}`;
}

/** The JSON form of a Go api.Duration (negative means forever). */
export function keepAliveJson(ns: number): string | number {
  return ns < 0 ? -1 : formatGoDuration(ns);
}
