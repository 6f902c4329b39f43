// Ollama's "ministral" parser (Mistral's Ministral 3 and Devstral 2 family): content, with thinking
// between [THINK] and [/THINK], and calls written `[TOOL_CALLS]name[ARGS]{...}`, one after another.
// Whitespace before a tag and after [/THINK] is dropped, as in Ollama.

import { toolCallId } from "../id.js";
import { parseJsonObject, scanJsonValue } from "../jsonscan.js";
import { heldSuffix } from "../markers.js";
import type { ToolLike } from "../types.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

const TOOL_CALLS = "[TOOL_CALLS]";
const ARGS = "[ARGS]";
const THINK = "[THINK]";
const THINK_END = "[/THINK]";

type State = "content" | "thinking" | "name" | "args";

const trailingSpace = /\s+$/u;

export class MinistralParser implements BuiltinParser {
  readonly hasToolSupport = true;
  private readonly tools: readonly ToolLike[];
  private readonly newId: () => string;
  private state: State;
  private buf = "";
  private name = "";
  private count = 0;
  /** Whitespace after [/THINK] is dropped, however the text is split into pieces. */
  private eatSpace = false;

  /** `thinking`: the model thinks first (Ollama's name for it has no thinking support: false). */
  constructor(
    init: ParserInit,
    readonly hasThinkingSupport: boolean,
  ) {
    this.tools = init.tools ?? [];
    this.newId = init.newId ?? toolCallId;
    const prefill = init.lastMessage?.role === "assistant" && init.lastMessage.content !== "";
    this.state = hasThinkingSupport && !prefill ? "thinking" : "content";
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.step(out));
    // At the end, held whitespace and a half-written tag go out as they are; an unfinished call
    // is dropped, as Ollama drops it.
    if (done) {
      if (this.state === "content") out.content += this.buf.trimEnd();
      else if (this.state === "thinking") out.thinking += this.buf;
      this.buf = "";
    }
    return out;
  }

  /** One move; false when more text is needed. */
  private step(out: ParsedPiece): boolean {
    switch (this.state) {
      case "content":
        return this.content(out);
      case "thinking":
        return this.thinking(out);
      case "name": {
        const at = this.buf.indexOf(ARGS);
        if (at < 0) return false;
        this.name = this.buf.slice(0, at);
        this.buf = this.buf.slice(at + ARGS.length);
        this.state = "args";
        return true;
      }
      case "args":
        return this.args(out);
    }
  }

  private content(out: ParsedPiece): boolean {
    if (this.eatSpace) {
      this.buf = this.buf.trimStart();
      if (this.buf === "") return false;
      this.eatSpace = false;
    }
    const calls = this.buf.indexOf(TOOL_CALLS);
    const think = this.buf.indexOf(THINK);
    const first = [calls, think].filter((i) => i >= 0).sort((a, b) => a - b)[0];
    if (first !== undefined) {
      out.content += this.buf.slice(0, first).trimEnd();
      const isCall = first === calls;
      this.buf = this.buf.slice(first + (isCall ? TOOL_CALLS : THINK).length);
      this.state = isCall ? "name" : "thinking";
      return true;
    }
    const held = heldSuffix(this.buf, [TOOL_CALLS, THINK]);
    const safe = this.buf.slice(0, this.buf.length - held).replace(trailingSpace, "");
    out.content += safe;
    this.buf = this.buf.slice(safe.length);
    return false;
  }

  private thinking(out: ParsedPiece): boolean {
    const end = this.buf.indexOf(THINK_END);
    if (end >= 0) {
      out.thinking += this.buf.slice(0, end);
      this.buf = this.buf.slice(end + THINK_END.length);
      this.state = "content";
      this.eatSpace = true;
      return true;
    }
    const held = heldSuffix(this.buf, [THINK_END]);
    out.thinking += this.buf.slice(0, this.buf.length - held);
    this.buf = this.buf.slice(this.buf.length - held);
    return false;
  }

  /**
   * The JSON arguments, once whole. A call to a tool the request did not declare, or whose
   * arguments are not an object, goes out as the text it was (Ollama fails the response).
   */
  private args(out: ParsedPiece): boolean {
    const trimmed = this.buf.trimStart();
    const scan = scanJsonValue(trimmed);
    if (scan.kind === "incomplete") return false;
    const end = scan.kind === "complete" ? scan.end : trimmed.length;
    const raw = trimmed.slice(0, end);
    this.buf = trimmed.slice(end);
    this.state = "content";
    const args = scan.kind === "complete" ? parseJsonObject(raw) : undefined;
    if (args && this.tools.some((t) => t.function.name === this.name)) {
      out.calls.push({
        id: this.newId(),
        function: { index: this.count++, name: this.name, arguments: args },
      });
    } else {
      out.content += TOOL_CALLS + this.name + ARGS + raw;
    }
    return true;
  }
}
