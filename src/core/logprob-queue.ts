/**
 * Keeps each token's log-probability with the text it produced, so a chunk carries the
 * log-probabilities of the tokens whose text it sends. Stop-sequence matching holds text back and
 * cuts it at a stop; what is cut takes its tokens' log-probabilities with it.
 */
import type { Logprob } from "../engine/types.js";

interface Entry {
  /** Where the token's text starts and ends in the model's output, in UTF-16 units. */
  start: number;
  end: number;
  logprob: Logprob;
}

export class LogprobQueue {
  private entries: Entry[] = [];
  private produced = 0;
  private sent = 0;

  /** A token's text as the model produced it, and its log-probability if there is one. */
  add(text: string, logprob: Logprob | undefined): void {
    const start = this.produced;
    this.produced += text.length;
    if (logprob) this.entries.push({ start, end: this.produced, logprob });
  }

  /** `text` goes to the client: the log-probabilities of tokens now wholly sent. */
  send(text: string): Logprob[] {
    this.sent += text.length;
    return this.take((e) => e.end <= this.sent);
  }

  /** Output ends here (a stop cut the rest): tokens with any text sent, or none at all, still count. */
  finish(): Logprob[] {
    const out = this.take((e) => e.start < this.sent || e.end <= this.sent);
    this.entries = [];
    return out;
  }

  private take(sent: (e: Entry) => boolean): Logprob[] {
    let n = 0;
    while (n < this.entries.length && sent(this.entries[n] as Entry)) n++;
    return this.entries.splice(0, n).map((e) => e.logprob);
  }
}
