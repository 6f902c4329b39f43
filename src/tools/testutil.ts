// Test helpers: feed a parser and check that streamed content never shows something it later
// has to take back (the content seen after every piece is a prefix of the final content).

import assert from "node:assert/strict";
import type { ParsedToolCall, ToolParseResult } from "./types.js";

interface Feedable {
  add(text: string): ToolParseResult;
  flush(): ToolParseResult;
}

export interface Fed {
  content: string;
  calls: ParsedToolCall[];
  /** Content seen after each piece, before flush. */
  steps: string[];
}

export function feed(parser: Feedable, pieces: readonly string[]): Fed {
  const fed: Fed = { content: "", calls: [], steps: [] };
  for (const piece of pieces) {
    const r = parser.add(piece);
    fed.content += r.content;
    fed.calls.push(...r.calls);
    fed.steps.push(fed.content);
  }
  const r = parser.flush();
  fed.content += r.content;
  fed.calls.push(...r.calls);
  for (const s of fed.steps)
    assert.ok(
      fed.content.startsWith(s),
      `streamed ${JSON.stringify(s)} is not a prefix of ${JSON.stringify(fed.content)}`,
    );
  return fed;
}

export const feedWhole = (parser: Feedable, text: string): Fed => feed(parser, [text]);
export const feedChars = (parser: Feedable, text: string): Fed => feed(parser, [...text]);
