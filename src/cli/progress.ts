// Progress display like Ollama's progress package: a stack of spinner and bar lines redrawn in
// place on a terminal. When stderr is not a terminal, it prints plain lines instead: one per
// status and one per finished layer, with no escape codes.
import { formatEta, humanBytes } from "./format.js";
import type { Output } from "./io.js";

export type Clock = () => number;

/** Go's %3.0f of a percentage (half to even on exact ties). */
function percentText(p: number): string {
  const floor = Math.floor(p);
  const rounded = p - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(p);
  return `${String(rounded).padStart(3)}%`;
}

const pad6 = (s: string): string => s.padStart(6);

interface Bucket {
  at: number;
  value: number;
}

export class Bar {
  private current: number;
  private readonly started: number;
  private stopped: number | undefined;
  private buckets: Bucket[] = [];

  constructor(
    readonly message: string,
    readonly total: number,
    private readonly initial: number,
    private readonly clock: Clock = Date.now,
  ) {
    this.current = initial;
    this.started = clock();
    if (initial >= total) this.stopped = this.started;
  }

  get done(): boolean {
    return this.stopped !== undefined;
  }

  get value(): number {
    return this.current;
  }

  set(value: number): void {
    const now = this.clock();
    this.current = Math.min(value, this.total);
    if (this.current >= this.total && this.stopped === undefined) this.stopped = now;
    // One rate sample per second, the last ten kept.
    const last = this.buckets[this.buckets.length - 1];
    if (!last || now - last.at > 1000) {
      this.buckets.push({ at: now, value: this.current });
      if (this.buckets.length > 10) this.buckets.shift();
    }
  }

  percent(): number {
    return this.total > 0 ? (this.current / this.total) * 100 : 0;
  }

  /** Bytes per second, from whole seconds as Ollama rounds them. */
  rate(): number {
    let num = 0;
    let den = 0;
    if (this.stopped !== undefined) {
      num = this.current - this.initial;
      den = Math.round((this.stopped - this.started) / 1000);
    } else if (this.buckets.length === 1) {
      const b = this.buckets[0] as Bucket;
      num = b.value - this.initial;
      den = Math.round((b.at - this.started) / 1000);
    } else if (this.buckets.length > 1) {
      const first = this.buckets[0] as Bucket;
      const last = this.buckets[this.buckets.length - 1] as Bucket;
      num = last.value - first.value;
      den = Math.round((last.at - first.at) / 1000);
    }
    return den !== 0 ? num / den : 0;
  }

  render(width: number): string {
    const msg = this.message.trim();
    const pre = `${msg ? `${msg} ` : ""}${percentText(this.percent())}`;
    let suf = "";
    if (this.stopped === undefined)
      suf += `${pad6(humanBytes(this.current))}/${pad6(humanBytes(this.total))}`;
    else suf += `${pad6(humanBytes(this.total))}${" ".repeat(7)}`;
    const rate = this.rate();
    const moving = this.stopped === undefined && rate > 0;
    suf += moving ? `  ${pad6(humanBytes(Math.trunc(rate)))}/s` : " ".repeat(10);
    const eta = moving ? Math.trunc((this.total - this.current) / rate) * 1000 : 0;
    suf += moving ? `  ${pad6(formatEta(eta))}` : " ".repeat(8);
    const room = width - pre.length - suf.length - 5;
    const filled = Math.max(0, Math.trunc((room * this.percent()) / 100));
    return `${pre} ▕${"█".repeat(filled)}${" ".repeat(Math.max(0, room - filled))}▏ ${suf}`;
  }

  /** The one-line summary used when output is not a terminal. */
  plain(): string {
    return `${this.message.trim()} ${percentText(this.percent()).trim()} ${humanBytes(this.total)}`;
  }
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Spinner {
  private frame = 0;
  stopped = false;
  constructor(public message: string) {}

  tick(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
  }

  stop(): void {
    this.stopped = true;
  }

  render(): string {
    const msg = this.message.trim();
    const head = msg ? `${msg} ` : "";
    return this.stopped ? head : `${head}${FRAMES[this.frame]} `;
  }
}

type Line = Bar | Spinner;

export class Progress {
  private lines: Line[] = [];
  private drawn = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private printed = new Set<Line>();
  private finished = false;

  constructor(private readonly out: Output) {
    if (out.isTTY) {
      this.timer = setInterval(() => this.tick(), 100);
      this.timer.unref();
    }
  }

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  add(line: Line): void {
    this.lines.push(line);
    if (!this.tty && line instanceof Spinner && line.message.trim())
      this.printPlain(line, line.message.trim());
  }

  /** Reports a bar's new value; plain output prints the bar once, when it completes. */
  update(bar: Bar, value: number): void {
    bar.set(value);
    if (!this.tty && bar.done) this.printPlain(bar, bar.plain());
  }

  private printPlain(line: Line, text: string): void {
    if (this.printed.has(line)) return;
    this.printed.add(line);
    this.out.write(`${text}\n`);
  }

  private tick(): void {
    for (const l of this.lines) if (l instanceof Spinner && !l.stopped) l.tick();
    this.render();
  }

  private render(): void {
    if (!this.tty || this.lines.length === 0) return;
    const width = this.out.columns ?? 80;
    let s = "\x1b[?25l";
    if (this.drawn > 1) s += "\x1b[A".repeat(this.drawn - 1);
    s += "\x1b[1G";
    s += this.lines.map((l) => `${l.render(width)}\x1b[K`).join("\n");
    s += "\x1b[?25h";
    this.drawn = this.lines.length;
    this.out.write(s);
  }

  private halt(): boolean {
    if (this.finished) return false;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    for (const l of this.lines) if (l instanceof Spinner) l.stop();
    return true;
  }

  /** Stops and leaves the final state on screen. */
  stop(): void {
    if (!this.halt()) return;
    if (this.tty) {
      this.render();
      if (this.drawn > 0) this.out.write("\n");
      return;
    }
    for (const l of this.lines) if (l instanceof Bar && l.value > 0) this.printPlain(l, l.plain());
  }

  /** Stops and erases what was drawn (before streaming a model's answer, say). */
  stopAndClear(): void {
    if (!this.halt() || !this.tty || this.drawn === 0) return;
    let s = "";
    for (let i = 0; i < this.drawn; i++) s += `${i > 0 ? "\x1b[A" : ""}\x1b[2K\x1b[1G`;
    this.drawn = 0;
    this.out.write(s);
  }
}
