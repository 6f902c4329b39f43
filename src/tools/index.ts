// tools/: tool calls parsed out of a model's streamed output.
//
//   createToolParser(templateSource, tools)  a streaming parser whose format is learned from the template
//   toolCallTag(template)                    Ollama's tag inference (tools.parseTag), "{" for bare JSON
//   ToolCallParser(tag, tools)               the parser for a known tag
//   toolCallId()                             an id in Ollama's form ("call_" + 8 characters)

import { ToolCallParser, type ToolParserOptions } from "./parser.js";
import { toolCallTag } from "./tag.js";
import type { ToolLike } from "./types.js";

export { ToolCallParser, type ToolParserOptions } from "./parser.js";
export { toolCallTag, bareJsonTag } from "./tag.js";
export { toolCallId } from "./id.js";
export { parseJsonObject } from "./jsonscan.js";
export type { ParsedToolCall, ToolLike, ToolParseResult } from "./types.js";

/** A parser for one response, learning the call format from the model's template source. */
export function createToolParser(
  templateSource: string,
  tools: readonly ToolLike[],
  options: ToolParserOptions = {},
): ToolCallParser {
  return new ToolCallParser(toolCallTag(templateSource), tools, options);
}
