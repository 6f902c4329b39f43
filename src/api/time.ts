/** Go's time.Time JSON form (RFC 3339 with up to nanoseconds, trailing zeros trimmed), in UTC. */
const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowNs(): bigint {
  return originNs + process.hrtime.bigint();
}

export function rfc3339Nano(ns: bigint = nowNs()): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
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
