/** Token texts for log-probabilities. */
import type { LlamaModel, Token } from "node-llama-cpp";
import type { RawLogprob } from "./logprobs.js";
import type { Logprob } from "./types.js";

/**
 * Each token's own text, as llama.cpp's token_to_piece gives it (Ollama's logprobs show these):
 * special tokens written out, and the leading space that detokenizing a lone token would strip on
 * SentencePiece vocabularies kept, by detokenizing after BOS.
 */
export class TokenPieces {
  private readonly cache = new Map<number, string>();
  private readonly before: Token[];

  constructor(private readonly model: LlamaModel) {
    const bos = model.tokens.bos;
    this.before = bos === null ? [] : [bos];
  }

  of(token: number): string {
    let piece = this.cache.get(token);
    if (piece === undefined) {
      piece = this.model.detokenize([token as Token], true, this.before);
      this.cache.set(token, piece);
    }
    return piece;
  }

  logprob(raw: RawLogprob): Logprob {
    return {
      token: this.of(raw.token),
      logprob: raw.logprob,
      top: raw.top.map((t) => ({ token: this.of(t.token), logprob: t.logprob })),
    };
  }
}
