// Go's time.ParseDuration and Duration.String, in nanoseconds as bigint so
// values up to Go's int64 limit stay exact.
/** Go's time.ParseDuration error, with its exact text. */
export class DurationError extends Error {}

const maxUint63 = 1n << 63n;

const units: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // micro sign
  "\u03bcs": 1_000n, // Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** The time package's own quoting: non-ASCII and control bytes become \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of Buffer.from(ch, "utf8")) out += "\\x" + b.toString(16).padStart(2, "0");
    } else {
      if (ch === '"' || ch === "\\") out += "\\";
      out += ch;
    }
  }
  return out + '"';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** time.ParseDuration: returns nanoseconds or throws Go's exact error. */
export function parseGoDuration(orig: string): bigint {
  const invalid = (): never => {
    throw new DurationError("time: invalid duration " + timeQuote(orig));
  };
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") invalid();
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) invalid();
    // leadingInt: digits before the point, failing on int64 overflow
    let i = 0;
    let v = 0n;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > maxUint63 / 10n) invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > maxUint63) invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // leadingFraction: digits after the point; excess precision is dropped
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== "" && s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (maxUint63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > maxUint63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) invalid();
    let k = 0;
    while (k < s.length && !(s[k] === "." || isDigit(s[k]))) k++;
    if (k === 0) throw new DurationError("time: missing unit in duration " + timeQuote(orig));
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = units[u];
    if (unit === undefined) {
      throw new DurationError("time: unknown unit " + timeQuote(u) + " in duration " + timeQuote(orig));
    }
    if (v > maxUint63 / unit) invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64, so rounding matches it.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > maxUint63) invalid();
    }
    d += v;
    if (d > maxUint63) invalid();
  }
  if (neg) return -d;
  if (d > maxUint63 - 1n) invalid();
  return d;
}

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let out = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    v /= 10n;
  }
  return [print ? "." + out : "", v];
}

/** time.Duration.String(): "1h30m0s", "300ms", "1.5µs", "0s". */
export function formatGoDuration(ns: bigint | number): string {
  let u = typeof ns === "bigint" ? ns : BigInt(Math.trunc(ns));
  const neg = u < 0n;
  if (neg) u = -u;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1_000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "\u00b5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, whole] = fmtFrac(u, prec);
    out = whole.toString() + frac + unit;
  } else {
    const [frac, secs] = fmtFrac(u, 9);
    out = (secs % 60n).toString() + frac + "s";
    let mins = secs / 60n;
    if (mins > 0n) {
      out = (mins % 60n).toString() + "m" + out;
      const hours = mins / 60n;
      if (hours > 0n) out = hours.toString() + "h" + out;
      mins = 0n;
    }
  }
  return neg ? "-" + out : out;
}
