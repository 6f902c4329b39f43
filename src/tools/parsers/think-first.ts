// Ollama's "olmo3-think" parser: the prompt opens thinking, so output is thinking up to the first
// </think> and content after it, with no tool calls. Whitespace on either side of the tag is dropped
// (however the text is split into pieces); content otherwise goes out as written.

import { heldSuffix } from "../markers.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

const CLOSE = "</think>";
const trailingSpace = /\s+$/u;

export class ThinkFirstParser implements BuiltinParser {
  readonly hasToolSupport = false;
  readonly hasThinkingSupport = true;
  private thinking: boolean;
  private buf = "";
  /** Whitespace after </think> is dropped. */
  private eatSpace = false;

  /** Thinks first whatever `think` says, except after a prefill with content. */
  constructor(init: ParserInit) {
    this.thinking = !(init.lastMessage?.role === "assistant" && init.lastMessage.content !== "");
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    if (this.thinking) this.think(out);
    if (!this.thinking) this.content(out);
    if (done) {
      if (this.thinking) out.thinking += this.buf.trimEnd();
      this.buf = "";
    }
    return out;
  }

  private think(out: ParsedPiece): void {
    const end = this.buf.indexOf(CLOSE);
    if (end >= 0) {
      out.thinking += this.buf.slice(0, end).trimEnd();
      this.buf = this.buf.slice(end + CLOSE.length);
      this.thinking = false;
      this.eatSpace = true;
      return;
    }
    const held = heldSuffix(this.buf, [CLOSE]);
    const safe = this.buf.slice(0, this.buf.length - held).replace(trailingSpace, "");
    out.thinking += safe;
    this.buf = this.buf.slice(safe.length);
  }

  private content(out: ParsedPiece): void {
    if (this.eatSpace) {
      this.buf = this.buf.trimStart();
      if (this.buf === "") return;
      this.eatSpace = false;
    }
    out.content += this.buf;
    this.buf = "";
  }
}
