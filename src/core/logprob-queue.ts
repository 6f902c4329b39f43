/**
 * Keeps what each token carries (its log-probability, its id) with the text it produced, so a
 * chunk carries the entries of the tokens whose text it sends. Stop-sequence matching holds text
 * back and cuts it at a stop; what is cut takes its tokens' entries with it.
 */
import type { Logprob } from "../engine/types.js";

interface Entry<T> {
  /** Where the token's text starts and ends in the model's output, in UTF-16 units. */
  start: number;
  end: number;
  item: T;
}

export class SentQueue<T> {
  private entries: Array<Entry<T>> = [];
  private produced = 0;
  private sent = 0;

  /** A token's text as the model produced it, and its entry if it has one. */
  add(text: string, item: T | undefined): void {
    const start = this.produced;
    this.produced += text.length;
    if (item !== undefined) this.entries.push({ start, end: this.produced, item });
  }

  /** `text` goes to the client: the entries of tokens now wholly sent. */
  send(text: string): T[] {
    this.sent += text.length;
    return this.take((e) => e.end <= this.sent);
  }

  /** Output ends here (a stop cut the rest): tokens with any text sent, or none at all, still count. */
  finish(): T[] {
    const out = this.take((e) => e.start < this.sent || e.end <= this.sent);
    this.entries = [];
    return out;
  }

  private take(sent: (e: Entry<T>) => boolean): T[] {
    let n = 0;
    while (n < this.entries.length && sent(this.entries[n] as Entry<T>)) n++;
    return this.entries.splice(0, n).map((e) => e.item);
  }
}

/** Log-probabilities, sent with the text of their tokens. */
export class LogprobQueue extends SentQueue<Logprob> {}
