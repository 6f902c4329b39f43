/**
 * Stop sequences over a stream of text pieces. Text that might be the start of a stop sequence is
 * held back until it is known not to be, so a stop string split across tokens never leaks.
 */
export class StopMatcher {
  private held = "";

  constructor(private readonly stops: readonly string[]) {}

  /** Returns the text safe to emit, and the stop sequence hit, if any (the text before it is emitted). */
  push(text: string): { emit: string; stopped: boolean; stop?: string } {
    const buf = this.held + text;
    let cut = -1;
    let hit: string | undefined;
    for (const stop of this.stops) {
      if (stop === "") continue;
      const i = buf.indexOf(stop);
      if (i >= 0 && (cut < 0 || i < cut)) [cut, hit] = [i, stop];
    }
    if (cut >= 0) {
      this.held = "";
      return { emit: buf.slice(0, cut), stopped: true, stop: hit };
    }
    const keep = this.partialSuffix(buf);
    this.held = buf.slice(buf.length - keep);
    return { emit: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** At the end of generation, held-back text was not a stop after all. */
  flush(): string {
    const out = this.held;
    this.held = "";
    return out;
  }

  private partialSuffix(buf: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, buf.length); n > longest; n--) {
        if (buf.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
