// Ollama's "cohere" parser (Cohere's North and Command A 2026 models). The prompt ends inside a
// thinking block when reasoning is on; after it the model writes <|START_TEXT|>content<|END_TEXT|>
// (or the older <|START_RESPONSE|> pair) or <|START_ACTION|>[calls]<|END_ACTION|>, a JSON list of
// {tool_call_id, tool_name, parameters}, then <|END_OF_TURN_TOKEN|>.

import { toolCallId } from "../id.js";
import { parseJson } from "../jsonscan.js";
import { heldSuffix } from "../markers.js";
import { emptyPiece, thinkingOn, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

const END_THINKING = "<|END_THINKING|>";
const START_TEXT = "<|START_TEXT|>";
const END_TEXT = "<|END_TEXT|>";
const START_RESPONSE = "<|START_RESPONSE|>";
const END_RESPONSE = "<|END_RESPONSE|>";
const START_ACTION = "<|START_ACTION|>";
const END_ACTION = "<|END_ACTION|>";
const END_OF_TURN = "<|END_OF_TURN_TOKEN|>";

/** What may open the next block, in the order Ollama looks for them. */
const OPENERS = [START_TEXT, START_RESPONSE, START_ACTION, END_OF_TURN];
const CONTENT_ENDS = [END_TEXT, END_RESPONSE, END_OF_TURN];

type State = "thinking" | "between" | "content" | "action";

const trailingSpace = /\s+$/u;

export class CohereParser implements BuiltinParser {
  readonly hasToolSupport = true;
  readonly hasThinkingSupport = true;
  private readonly newId: () => string;
  private state: State;
  private buf = "";
  private count = 0;

  constructor(init: ParserInit) {
    this.newId = init.newId ?? toolCallId;
    const prefill = init.lastMessage?.role === "assistant" && init.lastMessage.content !== "";
    // after a prefill the prompt left <|START_TEXT|> open
    this.state = prefill ? "content" : thinkingOn(init.think) ? "thinking" : "between";
  }

  add(text: string, done: boolean): ParsedPiece {
    this.buf += text;
    const out = emptyPiece();
    while (this.step(out, done));
    return out;
  }

  /** One move; false when more text is needed (or, when `done`, nothing is left). */
  private step(out: ParsedPiece, done: boolean): boolean {
    if (this.buf === "") return false;
    switch (this.state) {
      case "thinking":
        return this.thinking(out);
      case "between":
        return this.between(done);
      case "content":
        return this.content(out, done);
      case "action":
        return this.action(out, done);
    }
  }

  private thinking(out: ParsedPiece): boolean {
    const end = this.buf.indexOf(END_THINKING);
    if (end >= 0) {
      out.thinking += this.buf.slice(0, end).trimEnd();
      this.buf = this.buf.slice(end + END_THINKING.length);
      this.state = "between";
      return true;
    }
    const held = heldSuffix(this.buf, [END_THINKING]);
    const safe = this.buf.slice(0, this.buf.length - held).replace(trailingSpace, "");
    out.thinking += safe;
    this.buf = this.buf.slice(safe.length);
    return false;
  }

  /** Between blocks: the next opener (text before it is dropped, as Ollama drops it). */
  private between(done: boolean): boolean {
    for (const open of [START_TEXT, START_RESPONSE, START_ACTION]) {
      const at = this.buf.indexOf(open);
      if (at < 0) continue;
      this.buf = this.buf.slice(at + open.length);
      this.state = open === START_ACTION ? "action" : "content";
      return true;
    }
    const trimmed = this.buf.trimStart();
    if (trimmed.startsWith(END_OF_TURN)) {
      this.buf = trimmed.slice(END_OF_TURN.length);
      return true;
    }
    if (
      trimmed === "" ||
      (!done && OPENERS.some((t) => t.length > trimmed.length && t.startsWith(trimmed)))
    ) {
      if (done) this.buf = "";
      return false;
    }
    // bare text, or a tag this parser does not know, is content rather than held forever
    this.buf = trimmed;
    this.state = "content";
    return true;
  }

  private content(out: ParsedPiece, done: boolean): boolean {
    for (const close of CONTENT_ENDS) {
      const at = this.buf.indexOf(close);
      if (at < 0) continue;
      out.content += this.buf.slice(0, at);
      this.buf = this.buf.slice(at + close.length);
      this.state = "between";
      return true;
    }
    const held = done ? 0 : heldSuffix(this.buf, CONTENT_ENDS);
    out.content += this.buf.slice(0, this.buf.length - held);
    this.buf = this.buf.slice(this.buf.length - held);
    return false;
  }

  private action(out: ParsedPiece, done: boolean): boolean {
    const end = this.buf.indexOf(END_ACTION);
    if (end < 0 && !done) return false;
    // at the end of output, a block never closed is read as far as it goes (as Ollama does)
    const payload = end >= 0 ? this.buf.slice(0, end) : this.buf;
    this.buf = end >= 0 ? this.buf.slice(end + END_ACTION.length) : "";
    this.state = "between";
    for (const c of actions(payload)) {
      out.calls.push({
        id: c.id || this.newId(),
        function: { index: this.count++, name: c.name, arguments: c.arguments },
      });
    }
    return end >= 0;
  }
}

interface Action {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/**
 * The calls of an action block: its JSON list, or where the list does not parse (sampled output
 * drops a comma now and then), each balanced object in it that does, so one bad call does not
 * lose the others.
 */
export function actions(payload: string): Action[] {
  const text = payload.trim();
  if (text === "") return [];
  const list = parseJson(text);
  const items = Array.isArray(list) ? list : topLevelObjects(text).map(parseJson);
  return items.flatMap((item) => {
    const a = asAction(item);
    return a ? [a] : [];
  });
}

function asAction(v: unknown): Action | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const params = o.parameters;
  if (params !== undefined && params !== null && (typeof params !== "object" || Array.isArray(params)))
    return undefined;
  return {
    id: typeof o.tool_call_id === "string" ? o.tool_call_id : "",
    name: typeof o.tool_name === "string" ? o.tool_name : "",
    arguments: (params as Record<string, unknown> | null | undefined) ?? {},
  };
}

/** The balanced top-level {...} spans of `s`, braces inside strings not counted. */
function topLevelObjects(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === "\\" && inString) escaped = true;
    else if (c === '"') inString = !inString;
    else if (inString) continue;
    else if (c === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" && depth > 0 && --depth === 0 && start >= 0) {
      out.push(s.slice(start, i + 1));
      start = -1;
    }
  }
  return out;
}
