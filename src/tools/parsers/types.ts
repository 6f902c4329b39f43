// Ollama's built-in output parsers (model/parsers), chosen by a model's PARSER: each one splits the
// raw output of one response into content, thinking and tool calls in its model's own format,
// replacing the template-inferred tool and thinking parsers.

import type { ParsedToolCall, ToolLike } from "../types.js";

export interface ParsedPiece {
  content: string;
  thinking: string;
  calls: ParsedToolCall[];
}

export interface ParserInit {
  tools?: readonly ToolLike[] | undefined;
  /** The request's think value (true when unset on a thinking model, as the core resolves it). */
  think?: boolean | string | undefined;
  /** The last message of the conversation: an assistant message there is a prefill to continue. */
  lastMessage?: { role: string; content: string; thinking?: string | undefined } | undefined;
  /** Makes each call's id; Ollama's form by default. */
  newId?: () => string;
}

export interface BuiltinParser {
  readonly hasToolSupport: boolean;
  readonly hasThinkingSupport: boolean;
  /** Text in order; `done` on the last piece (or an empty one) drains what is held. */
  add(text: string, done: boolean): ParsedPiece;
}

export const emptyPiece = (): ParsedPiece => ({ content: "", thinking: "", calls: [] });

/** Whether thinking is on for a request: Ollama treats an unset value as on for thinking models. */
export function thinkingOn(think: boolean | string | undefined): boolean {
  return think === undefined || (think !== false && think !== "");
}
