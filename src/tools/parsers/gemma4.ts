// Ollama's "gemma4" parser (Gemma 4): thinking in a `<|channel>thought\n...<channel|>` block, calls
// written `<|tool_call>call:NAME{key:value,...}<tool_call|>` with bare keys and strings between
// `<|"|>` marks. After a call the model may repeat `<tool_call|>` or open `<|tool_response>`; that
// noise is dropped, as in Ollama. Ollama's repair of malformed arguments is not done here: a call
// whose arguments do not read as an object is dropped.

import { toolCallId } from "../id.js";
import { parseJsonObject } from "../jsonscan.js";
import { heldSuffix } from "../markers.js";
import { emptyPiece, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

const CHANNEL_OPEN = "<|channel>";
const CHANNEL_CLOSE = "<channel|>";
const CALL_OPEN = "<|tool_call>";
const CALL_CLOSE = "<tool_call|>";
const TOOL_RESPONSE = "<|tool_response>";
/** Gemma 4's string marks, `<|"|>...<|"|>`, around any text. */
const QUOTED = /<\|"\|>([\s\S]*?)<\|"\|>/gu;
/** Stands for a string while keys are quoted (a private-use character: no model writes it). */
const MARK = "\uE000";
const CHANNEL_NAME = "thought\n";

type State = "content" | "thinking" | "call" | "noise";

const trailingSpace = /\s+$/u;

export class Gemma4Parser implements BuiltinParser {
  readonly hasToolSupport = true;
  private readonly newId: () => string;
  /** Thinking goes out only when the model supports it and the request asked for it. */
  private readonly showThinking: boolean;
  private state: State = "content";
  private buf = "";
  private count = 0;
  /** Just inside a channel: its name ("thought\n") comes first and is not thinking. */
  private nameNext = false;
  /** Whitespace after <channel|> is dropped. */
  private eatSpace = false;

  constructor(
    init: ParserInit,
    readonly hasThinkingSupport: boolean,
  ) {
    this.newId = init.newId ?? toolCallId;
    this.showThinking =
      hasThinkingSupport && init.think !== undefined && init.think !== false && init.think !== "";
    // after a tool result the model goes on thinking without opening a channel again
    if (this.showThinking && init.lastMessage?.role === "tool") this.state = "thinking";
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.step(out, done));
    return out;
  }

  private step(out: ParsedPiece, done: boolean): boolean {
    if (this.buf === "") return false;
    switch (this.state) {
      case "content":
        return this.content(out, done);
      case "thinking":
        return this.thinking(out, done);
      case "call":
        return this.call(out, done);
      case "noise":
        return this.noise(done);
    }
  }

  private content(out: ParsedPiece, done: boolean): boolean {
    if (this.eatSpace) {
      this.buf = this.buf.trimStart();
      if (this.buf === "") return false;
      this.eatSpace = false;
    }
    const channel = this.buf.indexOf(CHANNEL_OPEN);
    const call = this.buf.indexOf(CALL_OPEN);
    const at = [channel, call].filter((i) => i >= 0).sort((a, b) => a - b)[0];
    if (at !== undefined) {
      out.content += this.buf.slice(0, at).trimEnd();
      const isChannel = at === channel;
      this.buf = this.buf.slice(at + (isChannel ? CHANNEL_OPEN : CALL_OPEN).length);
      this.state = isChannel ? "thinking" : "call";
      this.nameNext = isChannel;
      return true;
    }
    const held = done ? 0 : heldSuffix(this.buf, [CHANNEL_OPEN, CALL_OPEN]);
    const safe = held > 0 ? this.buf.slice(0, this.buf.length - held).replace(trailingSpace, "") : this.buf;
    out.content += safe;
    this.buf = this.buf.slice(safe.length);
    return false;
  }

  private thinking(out: ParsedPiece, done: boolean): boolean {
    if (this.nameNext) {
      if (this.buf.startsWith(CHANNEL_NAME)) this.buf = this.buf.slice(CHANNEL_NAME.length);
      else if (!done && CHANNEL_NAME.startsWith(this.buf)) return false;
      this.nameNext = false;
    }
    const think = (s: string) => {
      if (this.showThinking) out.thinking += s;
    };
    const end = this.buf.indexOf(CHANNEL_CLOSE);
    if (end >= 0) {
      think(this.buf.slice(0, end).trimEnd());
      this.buf = this.buf.slice(end + CHANNEL_CLOSE.length);
      this.state = "content";
      this.eatSpace = true;
      return true;
    }
    if (done) {
      think(this.buf);
      this.buf = "";
      return false;
    }
    const held = heldSuffix(this.buf, [CHANNEL_CLOSE]);
    const safe = this.buf.slice(0, this.buf.length - held).replace(trailingSpace, "");
    think(safe);
    this.buf = this.buf.slice(safe.length);
    return false;
  }

  /** A call once closed (or at the end of output, as far as it goes, as Ollama reads it). */
  private call(out: ParsedPiece, done: boolean): boolean {
    const end = this.buf.indexOf(CALL_CLOSE);
    if (end < 0 && !done) return false;
    const body = end >= 0 ? this.buf.slice(0, end) : this.buf;
    const parsed = parseCall(body);
    if (parsed) {
      out.calls.push({ id: this.newId(), function: { index: this.count++, ...parsed } });
    }
    this.buf = end >= 0 ? this.buf.slice(end + CALL_CLOSE.length).trimStart() : "";
    this.state = end >= 0 ? "noise" : "content";
    return end >= 0;
  }

  /** Right after a call: repeated close tags and a tool-response marker are dropped. */
  private noise(done: boolean): boolean {
    for (;;) {
      this.buf = this.buf.trimStart();
      const tag = [CALL_CLOSE, TOOL_RESPONSE].find((t) => this.buf.startsWith(t));
      if (!tag) break;
      this.buf = this.buf.slice(tag.length);
    }
    if (this.buf === "") return false;
    if ([CALL_CLOSE, TOOL_RESPONSE].some((t) => t.startsWith(this.buf))) {
      if (!done) return false;
      this.buf = "";
      return false;
    }
    this.state = "content";
    return true;
  }
}

/** `call:NAME{args}` with Gemma 4's argument syntax; undefined when it does not read. */
function parseCall(body: string): { name: string; arguments: Record<string, unknown> } | undefined {
  if (!body.startsWith("call:")) return undefined;
  const rest = body.slice("call:".length);
  const brace = rest.indexOf("{");
  if (brace < 0) return undefined;
  const args = argumentsOf(rest.slice(brace));
  return args ? { name: rest.slice(0, brace).trim(), arguments: args } : undefined;
}

/**
 * Gemma 4's arguments as JSON: `<|"|>` strings become JSON strings and bare keys (after `{` or `,`)
 * are quoted; the rest (numbers, true/false, lists, objects) is JSON already.
 */
export function argumentsOf(text: string): Record<string, unknown> | undefined {
  const strings: string[] = [];
  const marked = text.replace(QUOTED, (_m, s: string) => `${MARK}${strings.push(s) - 1}${MARK}`);
  let json = "";
  for (let i = 0; i < marked.length;) {
    const c = marked[i] as string;
    if (c === '"') {
      const end = jsonStringEnd(marked, i);
      json += marked.slice(i, end);
      i = end;
      continue;
    }
    json += c;
    i++;
    if (c !== "{" && c !== ",") continue;
    const space = /^\s*/u.exec(marked.slice(i))?.[0] ?? "";
    json += space;
    i += space.length;
    const key = /^[\p{L}\p{N}_]+(?=:)/u.exec(marked.slice(i))?.[0];
    if (key) {
      json += `"${key}":`;
      i += key.length + 1;
    }
  }
  json = json.replace(new RegExp(`${MARK}(\\d+)${MARK}`, "gu"), (_m, n: string) =>
    JSON.stringify(strings[Number(n)] ?? ""),
  );
  return parseJsonObject(json);
}

/** Where the JSON string starting at `start` (a quote) ends, just past its closing quote. */
function jsonStringEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i + 1;
  }
  return s.length;
}
