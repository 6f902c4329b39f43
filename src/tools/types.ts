/** A tool call parsed from model output, in Ollama's api.ToolCall shape. */
export interface ParsedToolCall {
  id?: string;
  function: {
    /** Position of the call within one response: 0, 1, 2, ... */
    index: number;
    name: string;
    /** Arguments in the order the model wrote them. */
    arguments: Record<string, unknown>;
  };
}

/** What the parser needs of a request's tools: their names. */
export interface ToolLike {
  function: { name: string };
}

export interface ToolParseResult {
  content: string;
  calls: ParsedToolCall[];
}
