/**
 * A SentencePiece tokenizer.model: a protobuf ModelProto whose field 1 repeats the pieces, each
 * with its text (1), score (2) and type (3). Only those fields are read; the rest is skipped by
 * wire type, so no protobuf library or schema is needed.
 */
import { TokenType } from "../gguf/index.js";
import type { Vocabulary } from "./tokenizer.js";

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_BYTES = 2;
const WIRE_32BIT = 5;

class ProtoReader {
  at = 0;
  private readonly end: number;

  constructor(private readonly buf: Buffer) {
    this.end = buf.length;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.end) throw new Error("truncated tokenizer.model");
      const byte = this.buf[this.at++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key & 7 };
  }

  bytes(): Buffer {
    const n = this.varint();
    if (this.at + n > this.end) throw new Error("truncated tokenizer.model");
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  float(): number {
    if (this.at + 4 > this.end) throw new Error("truncated tokenizer.model");
    const v = this.buf.readFloatLE(this.at);
    this.at += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_BYTES) this.bytes();
    else if (wire === WIRE_64BIT || wire === WIRE_32BIT) {
      this.at += wire === WIRE_64BIT ? 8 : 4;
      if (this.at > this.end) throw new Error("truncated tokenizer.model");
    } else throw new Error("invalid tokenizer.model");
  }
}

interface Piece {
  text: string;
  score: number;
  type: number;
}

function readPiece(bytes: Buffer): Piece {
  const r = new ProtoReader(bytes);
  const piece: Piece = { text: "", score: 0, type: TokenType.NORMAL };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) piece.text = r.bytes().toString("utf8");
    else if (field === 2 && wire === WIRE_32BIT) piece.score = r.float();
    else if (field === 3 && wire === WIRE_VARINT) piece.type = r.varint();
    else r.skip(wire);
  }
  return piece;
}

/** Piece types kept as they are; the rest (user-defined included) count as normal, as in Ollama. */
const keptTypes = new Set<number>([TokenType.UNKNOWN, TokenType.CONTROL, TokenType.UNUSED, TokenType.BYTE]);

/**
 * The pieces of a tokenizer.model, then the tokens of added_tokens.json (which must carry the ids
 * right after them) as user-defined ones.
 */
export function readSentencePiece(model: Buffer, addedTokens?: Record<string, number>): Vocabulary {
  const vocab: Vocabulary = { model: "llama", tokens: [], scores: [], types: [] };
  const r = new ProtoReader(model);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    const piece = readPiece(r.bytes());
    vocab.tokens.push(piece.text);
    vocab.scores.push(piece.score);
    vocab.types.push(keptTypes.has(piece.type) ? piece.type : TokenType.NORMAL);
  }
  if (r.at !== model.length) throw new Error("invalid tokenizer.model");
  const added = Object.entries(addedTokens ?? {}).sort(([, a], [, b]) => a - b);
  for (const [content, id] of added) {
    if (id !== vocab.tokens.length) throw new Error(`invalid token id: ${id}`);
    vocab.tokens.push(content);
    vocab.scores.push(-1000);
    vocab.types.push(TokenType.USER_DEFINED);
  }
  return vocab;
}
