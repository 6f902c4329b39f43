/** A converted vocabulary, as GGUF's `tokenizer.ggml.*` arrays hold it. */

/** GGUF's token types (the same numbers as SentencePiece's piece types). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface Vocabulary {
  /** tokenizer.ggml.model: "llama" for SentencePiece, "gpt2" for byte-level BPE, "bert" for WordPiece. */
  model: "llama" | "gpt2" | "bert";
  tokens: string[];
  scores: number[];
  types: number[];
}
