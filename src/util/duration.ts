/** Go's time.ParseDuration, in milliseconds (fractions kept): "1h30m", "300ms", "-1.5s", "0". */
const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class DurationError extends Error {}

export function parseGoDuration(text: string): number {
  const fail = (): never => {
    throw new DurationError(`time: invalid duration ${JSON.stringify(text)}`);
  };
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") fail();
  let total = 0;
  const part = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m || m[1] === "" || m[1] === ".") {
      // Go names a number without a unit specially.
      if (/^\d*\.?\d+$|^\d+\.$/.test(s))
        throw new DurationError(`time: missing unit in duration ${JSON.stringify(text)}`);
      fail();
    }
    total += Number(m![1]) * unitMs[m![2]!]!;
    s = s.slice(m![0].length);
  }
  return sign * total;
}

/** Prints milliseconds like Go's Duration.String(): "5m0s", "1h0m0s", "300ms". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    if (rest >= 1) out = `${trimFloat(rest)}ms`;
    else if (rest >= 1e-3) out = `${trimFloat(rest * 1e3)}µs`;
    else out = `${trimFloat(rest * 1e6)}ns`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const sec = `${trimFloat(rest / 1000)}s`;
    out = h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(n: number): string {
  return String(Number(n.toFixed(9)));
}
