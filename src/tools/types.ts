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

/** What the parsers need of a request's tools: names, and parameter order for positional arguments. */
export interface ToolLike {
  function: {
    name: string;
    /** A Map on the wire (Go's ordered decode), a plain object from templates and tests. */
    parameters?: { properties?: ReadonlyMap<string, unknown> | Record<string, unknown> | null } | null;
  };
}

export interface ToolParseResult {
  content: string;
  calls: ParsedToolCall[];
}
