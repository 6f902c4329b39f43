// Ollama's "functiongemma" parser (FunctionGemma): content, with calls written
// <start_function_call>call:name{key:value,...}<end_function_call>. Values are bare words:
// numbers, true/false, [lists], {objects}, and strings between <escape> marks (or left bare).

import { toolCallId } from "../id.js";
import { heldSuffix } from "../markers.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

const OPEN = "<start_function_call>";
const CLOSE = "<end_function_call>";
const ESCAPE = "<escape>";

export class FunctionGemmaParser implements BuiltinParser {
  readonly hasToolSupport = true;
  readonly hasThinkingSupport = false;
  private readonly newId: () => string;
  private inCall = false;
  private buf = "";
  private count = 0;

  constructor(init: ParserInit) {
    this.newId = init.newId ?? toolCallId;
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.inCall ? this.call(out) : this.content(out));
    // at the end a half-written tag goes out as content; an unfinished call is dropped
    if (done) {
      if (!this.inCall) out.content += this.buf;
      this.buf = "";
    }
    return out;
  }

  private content(out: ParsedPiece): boolean {
    const at = this.buf.indexOf(OPEN);
    if (at >= 0) {
      out.content += this.buf.slice(0, at);
      this.buf = this.buf.slice(at + OPEN.length);
      this.inCall = true;
      return true;
    }
    const held = heldSuffix(this.buf, [OPEN]);
    out.content += this.buf.slice(0, this.buf.length - held);
    this.buf = this.buf.slice(this.buf.length - held);
    return false;
  }

  /** A call's body once its close tag is in; one that is not `call:name{...}` is dropped. */
  private call(out: ParsedPiece): boolean {
    const end = this.buf.indexOf(CLOSE);
    if (end < 0) return false;
    const m = /call:([^{]+)\{(.*)\}/su.exec(this.buf.slice(0, end));
    if (m) {
      const [, name = "", args = ""] = m;
      out.calls.push({ id: this.newId(), function: { index: this.count++, name, arguments: fields(args) } });
    }
    this.buf = this.buf.slice(end + CLOSE.length);
    this.inCall = false;
    return true;
  }
}

/** `key:value,...` as an object; parts without a colon are skipped. */
function fields(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of split(text)) {
    const colon = part.indexOf(":");
    if (colon >= 0) out[part.slice(0, colon)] = value(part.slice(colon + 1));
  }
  return out;
}

/** Splits at top-level commas: not inside brackets or between <escape> marks. */
function split(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let depth = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith(ESCAPE, i)) {
      escaped = !escaped;
      current += ESCAPE;
      i += ESCAPE.length - 1;
      continue;
    }
    const c = text[i] as string;
    if (!escaped && (c === "{" || c === "[")) depth++;
    else if (!escaped && (c === "}" || c === "]")) depth--;
    else if (!escaped && c === "," && depth === 0) {
      if (current !== "") parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  if (current !== "") parts.push(current);
  return parts;
}

/** A number's leading form, as Go's fmt.Sscanf("%f") reads one (trailing text is ignored). */
const leadingFloat = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/u;

function value(text: string): unknown {
  if (text.length >= 2 * ESCAPE.length && text.startsWith(ESCAPE) && text.endsWith(ESCAPE))
    return text.slice(ESCAPE.length, -ESCAPE.length);
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+$/u.test(text) && String(Number(text)) === text) return Number(text);
  const num = leadingFloat.exec(text);
  if (num) return Number(num[0]);
  if (text.startsWith("[") && text.endsWith("]")) return split(text.slice(1, -1)).map(value);
  if (text.startsWith("{") && text.endsWith("}")) return fields(text.slice(1, -1));
  return text;
}
