// Ollama's "olmo3" parser: content, with calls in a <function_calls> block, one Python-style call a
// line (`get_weather(location="Paris", days=3)`). As in Ollama, content goes out as written and a
// block that does not parse is dropped; unlike it, a call must name a tool the request declared.

import { toolCallId } from "../id.js";
import { heldSuffix } from "../markers.js";
import { parsePythonCalls } from "../python.js";
import type { ToolLike } from "../types.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

const OPEN = "<function_calls>";
const CLOSE = "</function_calls>";

export class Olmo3Parser implements BuiltinParser {
  readonly hasToolSupport = true;
  readonly hasThinkingSupport = false;
  private readonly tools: ReadonlyMap<string, ToolLike>;
  private readonly newId: () => string;
  private inCalls = false;
  private buf = "";
  private count = 0;

  constructor(init: ParserInit) {
    this.tools = new Map((init.tools ?? []).map((t) => [t.function.name, t]));
    this.newId = init.newId ?? toolCallId;
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.inCalls ? this.calls(out) : this.content(out));
    // at the end a half-written tag goes out as content; an unfinished block is dropped
    if (done) {
      if (!this.inCalls) out.content += this.buf;
      this.buf = "";
    }
    return out;
  }

  private content(out: ParsedPiece): boolean {
    const at = this.buf.indexOf(OPEN);
    if (at >= 0) {
      out.content += this.buf.slice(0, at);
      this.buf = this.buf.slice(at + OPEN.length);
      this.inCalls = true;
      return true;
    }
    const held = heldSuffix(this.buf, [OPEN]);
    out.content += this.buf.slice(0, this.buf.length - held);
    this.buf = this.buf.slice(this.buf.length - held);
    return false;
  }

  private calls(out: ParsedPiece): boolean {
    const end = this.buf.indexOf(CLOSE);
    if (end < 0) return false;
    const lines = this.buf
      .slice(0, end)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const parsed = lines.map((line) => parsePythonCalls(line, this.tools));
    if (parsed.every((p) => p !== undefined)) {
      for (const call of parsed.flatMap((p) => p.calls)) {
        out.calls.push({ id: this.newId(), function: { index: this.count++, ...call } });
      }
    }
    this.buf = this.buf.slice(end + CLOSE.length);
    this.inCalls = false;
    return true;
  }
}
