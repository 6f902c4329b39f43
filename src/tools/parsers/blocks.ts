// The shape Ollama's olmo3 and functiongemma parsers share: content, with calls in blocks between
// an open and a close tag whose body a format reads. Content goes out as written; a body that does
// not read is dropped, as Ollama drops it, and so is a block the output ends inside.

import { toolCallId } from "../id.js";
import { heldSuffix } from "../markers.js";
import type { ToolLike } from "../types.js";
import type { CallBody } from "./calls.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

export interface BlockFormat {
  open: string;
  close: string;
  /** The calls a block's body holds; undefined (or none) when it does not read. */
  read: (body: string, tools: readonly ToolLike[]) => CallBody[] | undefined;
}

export class BlockCallsParser implements BuiltinParser {
  readonly hasToolSupport = true;
  readonly hasThinkingSupport = false;
  private readonly tools: readonly ToolLike[];
  private readonly newId: () => string;
  private inBlock = false;
  private buf = "";
  private count = 0;

  constructor(
    private readonly format: BlockFormat,
    init: ParserInit,
  ) {
    this.tools = init.tools ?? [];
    this.newId = init.newId ?? toolCallId;
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.inBlock ? this.block(out) : this.content(out));
    // at the end a half-written tag goes out as content; an unfinished block is dropped
    if (done) {
      if (!this.inBlock) out.content += this.buf;
      this.buf = "";
    }
    return out;
  }

  private content(out: ParsedPiece): boolean {
    const { open } = this.format;
    const at = this.buf.indexOf(open);
    if (at >= 0) {
      out.content += this.buf.slice(0, at);
      this.buf = this.buf.slice(at + open.length);
      this.inBlock = true;
      return true;
    }
    const held = heldSuffix(this.buf, [open]);
    out.content += this.buf.slice(0, this.buf.length - held);
    this.buf = this.buf.slice(this.buf.length - held);
    return false;
  }

  private block(out: ParsedPiece): boolean {
    const { close } = this.format;
    const end = this.buf.indexOf(close);
    if (end < 0) return false;
    for (const call of this.format.read(this.buf.slice(0, end), this.tools) ?? []) {
      out.calls.push({ id: this.newId(), function: { index: this.count++, ...call } });
    }
    this.buf = this.buf.slice(end + close.length);
    this.inBlock = false;
    return true;
  }
}
