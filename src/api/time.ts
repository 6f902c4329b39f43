/** Go's time.Time JSON form (RFC 3339 with up to nanoseconds, trailing zeros trimmed), in UTC. */
const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowNs(): bigint {
  return originNs + process.hrtime.bigint();
}

// Every streamed chunk carries created_at, so the clock is read in plain numbers (no BigInt) and
// the date part is formatted once a second.
const originSec = Number(originNs / 1_000_000_000n);
const originFrac = Number(originNs % 1_000_000_000n);
let cachedSec = NaN;
let cachedPrefix = "";

export function rfc3339Nano(ns?: bigint): string {
  let sec: number;
  let frac: number;
  if (ns === undefined) {
    const [s, n] = process.hrtime();
    sec = originSec + s;
    frac = originFrac + n;
    if (frac >= 1e9) {
      sec++;
      frac -= 1e9;
    }
  } else {
    sec = Number(ns / 1_000_000_000n);
    frac = Number(ns % 1_000_000_000n);
  }
  if (sec !== cachedSec) {
    cachedSec = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 19); // 2024-01-02T03:04:05
  }
  if (frac === 0) return `${cachedPrefix}Z`;
  return `${cachedPrefix}.${String(frac).padStart(9, "0").replace(/0+$/, "")}Z`;
}

/** A Date (file mtimes) in Go's local-time RFC 3339 form with offset, as Ollama prints modified_at. */
export function rfc3339Local(d: Date): string {
  const offMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offMin * 60_000)
    .toISOString()
    .slice(0, 23)
    .replace(/\.?0+$/, "");
  if (offMin === 0) return `${local}Z`;
  const sign = offMin > 0 ? "+" : "-";
  const abs = Math.abs(offMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
