// The shape most of Ollama's built-in parsers share (qwen3, qwen3-coder, qwen3-vl, qwen3.5, ...):
// optional thinking first (the prompt already opened it, though some checkpoints repeat the open tag),
// ended by its close tag or by a call; then content with calls between an open and a close tag.
// As in Ollama, whitespace around tags is dropped: text is held back while it ends in whitespace or
// in what may be the start of a tag, and leading whitespace after a tag is eaten.

import { toolCallId } from "../id.js";
import { heldSuffix } from "../markers.js";
import type { ToolLike } from "../types.js";
import type { CallBody, CallBodyParser } from "./calls.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

export interface TaggedFormat {
  /** Thinking tags; output starts inside thinking when `startInThinking` says so. */
  thinking?: { open: string; close: string };
  toolOpen: string;
  toolClose: string;
  parseCall: CallBodyParser;
  /** Tags around a run of calls (DeepSeek's <｜tool▁calls▁begin｜>) that carry nothing: dropped. */
  ignore?: string[];
  /**
   * Whether the body of a call the output ended inside (no close tag) is whole, so the call
   * counts. Ollama's parsers drop such a call; tollama keeps one that is plainly complete (a JSON
   * body that parses), since some checkpoints end on it without the close tag, but never one whose
   * arguments may be cut short. Default: the body parses.
   */
  wholeWithoutClose?: (raw: string) => boolean;
}

type State = "thinking" | "content" | "call";

const trailingSpace = /\s+$/u;

export class TaggedParser implements BuiltinParser {
  readonly hasToolSupport = true;
  readonly hasThinkingSupport: boolean;
  private readonly tools: readonly ToolLike[];
  private readonly newId: () => string;
  private state: State;
  private buf = "";
  /** Eat whitespace before the next text (just after a tag). */
  private eatSpace = false;
  /** At the start of thinking a repeated open tag may come first. */
  private maybeOpenTag: boolean;
  private count = 0;
  private readonly ignored: readonly string[];
  /** Output that does not start with the open tag is content, not thinking. */
  private readonly onlyIfOpened: boolean;

  /**
   * `startInThinking`: true when the prompt opened thinking; "if-opened" thinks only when the output
   * itself starts with the open tag (GLM with thinking off, whose checkpoints may think anyway).
   */
  constructor(
    private readonly format: TaggedFormat,
    init: ParserInit,
    startInThinking: boolean | "if-opened",
    hasThinkingSupport = format.thinking !== undefined,
  ) {
    this.hasThinkingSupport = hasThinkingSupport;
    this.tools = init.tools ?? [];
    this.newId = init.newId ?? toolCallId;
    this.state = startInThinking !== false && format.thinking ? "thinking" : "content";
    this.maybeOpenTag = this.state === "thinking";
    this.onlyIfOpened = startInThinking === "if-opened";
    this.ignored = format.ignore ?? [];
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.step(out));
    if (done) this.drain(out);
    return out;
  }

  /** One move; false when more text is needed. */
  private step(out: ParsedPiece): boolean {
    if (this.eatSpace) {
      this.buf = this.buf.trimStart();
      if (this.buf === "") return false;
      this.eatSpace = false;
    }
    if (this.state === "call") {
      const end = this.buf.indexOf(this.format.toolClose);
      if (end < 0) return false;
      this.takeCall(this.buf.slice(0, end), out);
      this.buf = this.buf.slice(end + this.format.toolClose.length);
      this.enter("content");
      return true;
    }
    const thinking = this.state === "thinking" ? this.format.thinking : undefined;
    if (thinking && this.maybeOpenTag) {
      const trimmed = this.buf.trimStart();
      if (trimmed.startsWith(thinking.open)) {
        this.buf = trimmed.slice(thinking.open.length);
        this.maybeOpenTag = false;
        this.eatSpace = true;
        return true;
      }
      if (thinking.open.startsWith(trimmed)) return false;
      this.maybeOpenTag = false;
      if (this.onlyIfOpened) {
        this.state = "content";
        return true;
      }
    }
    const tags = thinking ? [thinking.close, this.format.toolOpen] : [this.format.toolOpen, ...this.ignored];
    const found = firstOf(this.buf, tags);
    const emit = (s: string) => (thinking ? (out.thinking += s) : (out.content += s));
    if (found) {
      emit(this.buf.slice(0, found.at).trimEnd());
      this.buf = this.buf.slice(found.at + found.tag.length);
      this.enter(found.tag === this.format.toolOpen ? "call" : "content");
      if (this.ignored.includes(found.tag)) this.eatSpace = true;
      return true;
    }
    const keep = heldSuffix(this.buf, tags);
    const safe = this.buf.slice(0, this.buf.length - keep).replace(trailingSpace, "");
    emit(safe);
    this.buf = this.buf.slice(safe.length);
    return false;
  }

  private enter(state: State): void {
    this.state = state;
    // a call's body keeps its text, so one that fails to parse goes back out as written
    this.eatSpace = state !== "call";
  }

  /**
   * End of output: a call never closed still counts when its body is whole (wholeWithoutClose) and
   * parses; otherwise it is dropped, as Ollama drops it. Held text goes out trimmed.
   */
  private drain(out: ParsedPiece): void {
    if (this.state === "call") {
      const raw = this.buf.trim();
      const whole = raw !== "" && (this.format.wholeWithoutClose?.(raw) ?? true);
      const bodies = whole ? callsOf(this.format.parseCall(raw, this.tools)) : undefined;
      for (const body of bodies ?? []) this.pushCall(body, out);
    } else if (this.state === "thinking") out.thinking += this.buf.trimEnd();
    else out.content += this.buf.trimEnd();
    this.buf = "";
  }

  /** A closed call whose body does not parse is kept as the text it was rather than lost. */
  private takeCall(raw: string, out: ParsedPiece): void {
    const bodies = callsOf(this.format.parseCall(raw.trim(), this.tools));
    if (bodies) for (const body of bodies) this.pushCall(body, out);
    else out.content += this.format.toolOpen + raw + this.format.toolClose;
  }

  private pushCall(body: CallBody, out: ParsedPiece): void {
    out.calls.push({
      id: this.newId(),
      function: { index: this.count++, name: body.name, arguments: body.arguments },
    });
  }
}

/** A body parser's answer as a list of calls; undefined when there is none. */
function callsOf(parsed: CallBody | CallBody[] | undefined): CallBody[] | undefined {
  const list = parsed === undefined ? [] : Array.isArray(parsed) ? parsed : [parsed];
  return list.length > 0 ? list : undefined;
}

function firstOf(text: string, tags: readonly string[]): { at: number; tag: string } | undefined {
  let best: { at: number; tag: string } | undefined;
  for (const tag of tags) {
    const at = text.indexOf(tag);
    if (at >= 0 && (!best || at < best.at)) best = { at, tag };
  }
  return best;
}
