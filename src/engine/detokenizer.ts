/**
 * Turns a token stream into text pieces without splitting multi-byte characters: tokens are held
 * back while their bytes end in an incomplete UTF-8 sequence (the library renders those as U+FFFD).
 * Each piece is detokenized after the tokens before it, starting from the prompt's: on
 * SentencePiece vocabularies a lone first token would lose its leading space, which llama.cpp's
 * token_to_piece (and so Ollama's output) keeps.
 */
export class IncrementalDetokenizer {
  private pending: number[] = [];
  private previous: number[];

  constructor(
    private readonly detokenize: (tokens: readonly number[], context: readonly number[]) => string,
    context: readonly number[] = [],
  ) {
    this.previous = context.slice(-8);
  }

  push(token: number): string {
    this.pending.push(token);
    const text = this.detokenize(this.pending, this.previous);
    if (text.endsWith("\uFFFD") && this.pending.length < 8) return "";
    this.previous = this.previous.concat(this.pending).slice(-8);
    this.pending = [];
    return text;
  }

  /** Whatever is held back, as the library renders it. */
  flush(): string {
    if (this.pending.length === 0) return "";
    const text = this.detokenize(this.pending, this.previous);
    this.pending = [];
    return text;
  }
}
