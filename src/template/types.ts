// The inputs to prompt rendering, in Ollama's API shape (api.Message, api.Tool) with camelCase names.

export interface ToolCall {
  id?: string;
  function: {
    index?: number;
    name: string;
    /** Arguments in insertion order, as the client sent them. */
    arguments?: Record<string, unknown> | null;
  };
}

export interface TemplateMessage {
  role: string;
  content: string;
  thinking?: string;
  /** Raw image bytes, or base64 text as it arrives on the wire. */
  images?: (Uint8Array | string)[];
  toolCalls?: ToolCall[];
  toolName?: string;
  toolCallId?: string;
}

/** A JSON-schema property as api.ToolProperty keeps it (unknown keys are dropped, as Go does). */
export interface ToolProperty {
  anyOf?: ToolProperty[];
  type?: string | string[];
  items?: unknown;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, ToolProperty>;
  required?: string[];
}

/** A tool in its wire JSON shape (api.Tool). */
export interface Tool {
  type: string;
  items?: unknown;
  function: {
    name: string;
    description?: string;
    parameters?: {
      type?: string;
      $defs?: unknown;
      items?: unknown;
      required?: string[];
      properties?: Record<string, ToolProperty>;
    };
  };
}

/** Ollama's template.Values. */
export interface RenderValues {
  messages?: TemplateMessage[];
  /** undefined is Go's nil (prints "null"); [] prints "[]". */
  tools?: Tool[];
  /** With suffix, a fill-in-the-middle render: only Prompt and Suffix are set. */
  prompt?: string;
  suffix?: string;
  think?: boolean;
  /** ThinkValue.String(): the level sent ("high", "medium", "low", "max"), "medium" for true, "" otherwise. */
  thinkLevel?: string;
  /** Whether the request set think at all (templates can't see a nil Think). */
  isThinkSet?: boolean;
  /** Render with the per-turn legacy path even when the template uses .Messages (tests only). */
  forceLegacy?: boolean;
}

/** Ollama's Think/ThinkLevel/IsThinkSet from a request's `think` (bool, level string, or absent). */
export function thinkValues(
  think: boolean | string | undefined | null,
): Pick<RenderValues, "think" | "thinkLevel" | "isThinkSet"> {
  if (think === undefined || think === null) return { think: false, thinkLevel: "", isThinkSet: false };
  if (typeof think === "boolean") return { think, thinkLevel: think ? "medium" : "", isThinkSet: true };
  const enabled = think === "high" || think === "medium" || think === "low" || think === "max";
  return { think: enabled, thinkLevel: think, isThinkSet: true };
}
