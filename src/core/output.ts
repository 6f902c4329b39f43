/**
 * The model's raw text split into what the client sees: thinking, content and tool calls, in that
 * order of parsing (thinking comes first in every format the parsers know).
 */
import { createThinkingParser, promptEndsInThinking, type ThinkingParser } from "../thinking/index.js";
import { createToolParser, type ParsedToolCall, type ToolCallParser, type ToolLike } from "../tools/index.js";
import { parserForName, type BuiltinParser, type ParserInit } from "../tools/parsers/index.js";
import type { ResolvedModel } from "./models.js";

export interface OutputPiece {
  content: string;
  thinking: string;
  toolCalls: ParsedToolCall[];
}

export class OutputSplitter {
  private readonly thinking?: ThinkingParser;
  private readonly tools?: ToolCallParser;
  /** A PARSER from the Modelfile does all the splitting itself, as in Ollama. */
  private readonly builtin?: BuiltinParser | undefined;

  constructor(
    model: ResolvedModel,
    prompt: string,
    think: boolean,
    tools: readonly ToolLike[] | undefined,
    lastMessage?: ParserInit["lastMessage"],
  ) {
    const parser = model.stored.config.parser;
    this.builtin = parser ? parserForName(parser, { tools, think, lastMessage }) : undefined;
    if (this.builtin) return;
    const tags = model.thinkingTags;
    if (think && tags) {
      this.thinking = createThinkingParser({
        open: tags.open,
        close: tags.close,
        startsInside: promptEndsInThinking(prompt, tags.open),
      });
    }
    if (tools && tools.length > 0) this.tools = createToolParser(model.template.source, tools);
  }

  add(text: string): OutputPiece {
    if (this.builtin) return this.fromBuiltin(this.builtin.add(text, false));
    const t = this.thinking ? this.thinking.add(text) : { thinking: "", content: text };
    return { thinking: t.thinking, ...this.parseTools(t.content, false) };
  }

  flush(): OutputPiece {
    if (this.builtin) return this.fromBuiltin(this.builtin.add("", true));
    const t = this.thinking ? this.thinking.flush() : { thinking: "", content: "" };
    return { thinking: t.thinking, ...this.parseTools(t.content, true) };
  }

  private fromBuiltin(p: { content: string; thinking: string; calls: ParsedToolCall[] }): OutputPiece {
    return { content: p.content, thinking: p.thinking, toolCalls: p.calls };
  }

  private parseTools(text: string, end: boolean): { content: string; toolCalls: ParsedToolCall[] } {
    if (!this.tools) return { content: text, toolCalls: [] };
    const a = this.tools.add(text);
    if (!end) return { content: a.content, toolCalls: a.calls };
    const b = this.tools.flush();
    return { content: a.content + b.content, toolCalls: [...a.calls, ...b.calls] };
  }
}

export function isEmptyPiece(p: OutputPiece): boolean {
  return p.content === "" && p.thinking === "" && p.toolCalls.length === 0;
}
