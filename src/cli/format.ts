// Human-readable sizes, times and tables, as Ollama's format package and its tablewriter
// settings print them, so `list`, `ps` and `show` line up the same way.
import { formatGoDuration } from "./duration.js";

const KB = 1000;
const MB = KB * 1000;
const GB = MB * 1000;
const TB = GB * 1000;

/** Go's %.1f (round half to even on exact ties, as strconv does). */
function fixed1(x: number): string {
  const t = x * 10;
  if (Math.abs(t - Math.trunc(t)) === 0.5) {
    const down = Math.trunc(t);
    return ((down % 2 === 0 ? down : down + Math.sign(t)) / 10).toFixed(1);
  }
  return x.toFixed(1);
}

/** format.HumanBytes: decimal units, "1.7 MB", "4.7 GB", "512 B". */
export function humanBytes(b: number): string {
  let value: number;
  let unit: string;
  if (b >= TB) [value, unit] = [b / TB, "TB"];
  else if (b >= GB) [value, unit] = [b / GB, "GB"];
  else if (b >= MB) [value, unit] = [b / MB, "MB"];
  else if (b >= KB) [value, unit] = [b / KB, "KB"];
  else return `${Math.trunc(b)} B`;
  if (value >= 10 || value === Math.trunc(value)) return `${Math.trunc(value)} ${unit}`;
  return `${fixed1(value)} ${unit}`;
}

/** format.HumanNumber: parameter counts such as "8B", "1.5B", "494.03M", "33K". */
export function humanNumber(n: number): string {
  if (n >= 1e9) {
    const v = n / 1e9;
    return v === Math.floor(v) ? `${v.toFixed(0)}B` : `${fixed1(v)}B`;
  }
  if (n >= 1e6) {
    const v = n / 1e6;
    return v === Math.floor(v) ? `${v.toFixed(0)}M` : `${v.toFixed(2)}M`;
  }
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(Math.trunc(n));
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;

function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / (60 * SECOND));
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / HOUR);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / HOUR) / 24 / 365)} years`;
}

/** Go's zero time.Time as JSON ("0001-01-01T00:00:00Z") and unset values count as zero. */
export function isZeroTime(t: string | Date | undefined | null): boolean {
  if (t === undefined || t === null || t === "") return true;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) || new Date(t).getUTCFullYear() <= 1;
}

/** format.HumanTime: "2 hours ago", "4 minutes from now", "Forever", or zeroValue. */
export function humanTime(t: string | Date | undefined | null, zeroValue: string, now = Date.now()): string {
  if (isZeroTime(t)) return zeroValue;
  const delta = now - new Date(t as string | Date).getTime();
  if (Math.trunc(Math.trunc(delta / HOUR) / 24 / 365) < -20) return "Forever";
  if (delta < 0) return `${humanDuration(-delta)} from now`;
  return `${humanDuration(delta)} ago`;
}

/** The progress bar's time left: two units at most ("59m59s", "1h5m", "99h+"). */
export function formatEta(ms: number): string {
  if (ms >= 100 * HOUR) return "99h+";
  if (ms >= HOUR) return `${Math.trunc(ms / HOUR)}h${Math.trunc(ms / 60000) % 60}m`;
  return formatGoDuration(Math.round(ms / 1000) * 1e9);
}

// East Asian wide and emoji ranges count as two columns, as go-runewidth does for the common cases.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;
const ANSI_ESCAPE = new RegExp(String.raw`\u001b\[[0-9;]*[A-Za-z]`, "g");

export function displayWidth(s: string): number {
  let w = 0;
  for (const c of s.replace(ANSI_ESCAPE, "")) {
    if (ZERO_WIDTH.test(c)) continue;
    w += WIDE.test(c) ? 2 : 1;
  }
  return w;
}

function padRight(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - displayWidth(s)));
}

/** Greedy word wrap on single spaces; a word longer than the limit widens it (tablewriter). */
function wrapCell(text: string, limit: number): string[] {
  const words = text.replace(/\n/g, " ").split(" ");
  const lim = Math.max(limit, ...words.map(displayWidth));
  const lines: string[] = [];
  let cur: string | undefined;
  for (const w of words) {
    if (cur === undefined) cur = w;
    else if (displayWidth(cur) + 1 + displayWidth(w) <= lim) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  lines.push(cur ?? "");
  return lines;
}

function cellLines(cell: string, maxWidth: number): string[] {
  return cell.split("\n").flatMap((para) => {
    const width = displayWidth(para);
    return width > maxWidth ? wrapCell(para, maxWidth) : [para];
  });
}

export interface TableOptions {
  header?: string[];
  /** Cells wider than this wrap at spaces (tablewriter's default is 30). */
  maxColWidth?: number;
}

/**
 * Ollama's borderless tables: left-aligned columns, four spaces after every cell; the header's
 * last cell is followed by one space instead (tablewriter does this too).
 */
export function renderTable(rows: string[][], opts: TableOptions = {}): string {
  const maxWidth = opts.maxColWidth ?? 30;
  const header = opts.header?.map((h) => cellLines(h, maxWidth));
  const body = rows.map((r) => r.map((c) => cellLines(c, maxWidth)));
  const cols = Math.max(header?.length ?? 0, ...body.map((r) => r.length));
  const widths: number[] = Array.from({ length: cols }, () => 0);
  for (const r of header ? [header, ...body] : body) {
    r.forEach((lines, i) => {
      widths[i] = Math.max(widths[i] ?? 0, ...lines.map(displayWidth));
    });
  }
  let out = "";
  if (header) out += renderRow(header, widths, (i) => (i === cols - 1 ? " " : "    "));
  for (const r of body) out += renderRow(r, widths, () => "    ");
  return out;
}

function renderRow(cells: string[][], widths: number[], sep: (i: number) => string): string {
  const height = Math.max(1, ...cells.map((c) => c.length));
  let out = "";
  for (let line = 0; line < height; line++) {
    cells.forEach((c, i) => {
      // tablewriter fills the missing lines of shorter cells with two spaces before padding.
      out += padRight(c[line] ?? "  ", widths[i] ?? 0) + sep(i);
    });
    out += "\n";
  }
  return out;
}
