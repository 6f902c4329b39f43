/**
 * Anthropic Messages requests to Ollama's native ChatRequest, after Ollama's
 * anthropic.FromMessagesRequest, plus: tool_choice enforced (none / any / tool), tool results
 * named after their tool_use, text blocks joined by newlines. Anthropic's typed client tools
 * (`bash_20250124`, `text_editor_...`, `computer_...`: the client runs them) reach the model as
 * functions, with empty parameters unless an input_schema is given, as in Ollama; its server-run
 * `web_search` tools are left out, since tollama has no web search to run them with.
 */
import { bindJson, decodeChatRequest, messagesRequest, type ChatRequest } from "../api/wire/index.js";
import { toolCallFormat, type PlainTool } from "../openai/toolchoice.js";
import { withJsonEnd } from "../openai/request.js";

type Obj = Record<string, unknown>;

function isRecord(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A 400 that the routes send as Anthropic's invalid_request_error. */
export class AnthropicRequestError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = "AnthropicRequestError";
  }
}

/** The body as Ollama's middleware binds it (anthropic.MessagesRequest): Go's errors for bad JSON and types. */
export function parseBody(body: Buffer): Obj {
  return bindJson(body, messagesRequest);
}

function blocksOf(content: unknown): Obj[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (content === undefined || content === null) return [];
  if (!Array.isArray(content))
    throw new AnthropicRequestError("message content must be a string or a list of content blocks");
  return content.map((b) => {
    if (!isRecord(b)) throw new AnthropicRequestError("invalid content block");
    return b;
  });
}

function imageBase64(source: unknown, where = "image"): string {
  if (!isRecord(source))
    throw new AnthropicRequestError(
      where === "image" ? "invalid image source" : "invalid tool_result image source",
    );
  if (source.type !== "base64")
    throw new AnthropicRequestError(
      `invalid image source type: ${String(source.type)}. Only base64 images are supported.`,
    );
  const data = typeof source.data === "string" ? source.data : "";
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0)
    throw new AnthropicRequestError("invalid base64 image data");
  return data;
}

function toolResultContent(content: unknown): { text: string; images: string[] } {
  if (content === undefined || content === null) return { text: "", images: [] };
  if (typeof content === "string") return { text: content, images: [] };
  if (!Array.isArray(content)) return { text: "", images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  for (const b of content) {
    if (!isRecord(b)) continue;
    if (b.type === "text" && typeof b.text === "string") texts.push(b.text);
    else if (b.type === "image") images.push(imageBase64(b.source, "tool_result"));
  }
  return { text: texts.join("\n"), images };
}

function convertMessages(list: unknown, toolNames: Map<string, string>): Obj[] {
  if (!Array.isArray(list)) return [];
  const out: Obj[] = [];
  for (const m of list) {
    if (!isRecord(m)) throw new AnthropicRequestError("invalid message");
    const role = (typeof m.role === "string" ? m.role : "").toLowerCase();
    const texts: string[] = [];
    const images: string[] = [];
    const calls: Obj[] = [];
    const results: Obj[] = [];
    let thinking = "";
    for (const b of blocksOf(m.content)) {
      switch (b.type) {
        case "text":
          if (typeof b.text === "string") texts.push(b.text);
          break;
        case "image":
          images.push(imageBase64(b.source));
          break;
        case "tool_use": {
          if (typeof b.id !== "string" || b.id === "")
            throw new AnthropicRequestError("tool_use block missing required 'id' field");
          if (typeof b.name !== "string" || b.name === "")
            throw new AnthropicRequestError("tool_use block missing required 'name' field");
          toolNames.set(b.id, b.name);
          calls.push({ id: b.id, function: { name: b.name, arguments: isRecord(b.input) ? b.input : {} } });
          break;
        }
        case "tool_result": {
          const r = toolResultContent(b.content);
          const id = typeof b.tool_use_id === "string" ? b.tool_use_id : "";
          const name = toolNames.get(id);
          results.push({
            role: "tool",
            content: r.text,
            ...(r.images.length > 0 ? { images: r.images } : {}),
            ...(id ? { tool_call_id: id } : {}),
            ...(name ? { tool_name: name } : {}),
          });
          break;
        }
        case "thinking":
          if (typeof b.thinking === "string") thinking = b.thinking;
          break;
        default:
          // redacted_thinking, documents and server-tool blocks carry nothing a template can use
          break;
      }
    }
    // A user turn answering tool calls: the results first, then anything the user added.
    if (role === "user") out.push(...results);
    if (texts.length > 0 || images.length > 0 || calls.length > 0 || thinking !== "") {
      out.push({
        role,
        content: texts.join("\n"),
        ...(images.length > 0 ? { images } : {}),
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
        ...(thinking ? { thinking } : {}),
      });
    }
    if (role !== "user") out.push(...results);
  }
  return out;
}

function systemText(system: unknown): string {
  if (typeof system === "string") return system;
  if (!Array.isArray(system)) return "";
  return system
    .filter((b): b is Obj => isRecord(b) && b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

function convertTools(v: unknown): PlainTool[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AnthropicRequestError("tools must be a list");
  const out: PlainTool[] = [];
  for (const t of v) {
    if (!isRecord(t) || typeof t.name !== "string")
      throw new AnthropicRequestError("invalid tool definition");
    if (typeof t.type === "string" && t.type.startsWith("web_search")) continue;
    if (t.input_schema !== undefined && !isRecord(t.input_schema))
      throw new AnthropicRequestError(`invalid input_schema for tool ${JSON.stringify(t.name)}`);
    out.push({
      type: "function",
      function: {
        name: t.name,
        ...(typeof t.description === "string" ? { description: t.description } : {}),
        parameters: t.input_schema ?? { type: "object", properties: {} },
      },
    });
  }
  return out;
}

function applyToolChoice(choice: unknown, tools: PlainTool[]): { tools: PlainTool[]; forced: boolean } {
  if (choice === undefined || choice === null) return { tools, forced: false };
  if (!isRecord(choice) || typeof choice.type !== "string")
    throw new AnthropicRequestError("tool_choice must be an object with a type");
  switch (choice.type) {
    case "auto":
      return { tools, forced: false };
    case "none":
      return { tools: [], forced: false };
    case "any":
      if (tools.length === 0) throw new AnthropicRequestError("tool_choice 'any' needs at least one tool");
      return { tools, forced: true };
    case "tool": {
      const tool = tools.find((t) => t.function.name === choice.name);
      if (!tool)
        throw new AnthropicRequestError(
          `tool_choice names tool '${String(choice.name)}', which is not in tools`,
        );
      return { tools: [tool], forced: true };
    }
    default:
      throw new AnthropicRequestError(`invalid tool_choice type: ${JSON.stringify(choice.type)}`);
  }
}

function thinkOf(body: Obj): boolean | string | undefined {
  const t = body.thinking;
  if (isRecord(t)) {
    if (t.type === "enabled" || t.type === "adaptive") return true;
    if (t.type === "disabled") return false;
  }
  const oc = body.output_config;
  if (isRecord(oc) && typeof oc.effort === "string") {
    let effort = oc.effort.trim().toLowerCase();
    if (effort === "xhigh") effort = "high";
    if (["high", "medium", "low", "max"].includes(effort)) return effort;
  }
  return undefined;
}

export interface MessagesConversion {
  request: ChatRequest;
  model: string;
  stream: boolean;
  /** Requested thinking, applied only if the model can think (the Anthropic API never fails on it). */
  think: boolean | string | undefined;
}

/** `forCount`: count_tokens bodies have no max_tokens, stream or sampling fields. */
export function fromMessagesRequest(body: Obj, forCount = false): MessagesConversion {
  const model = typeof body.model === "string" ? body.model : "";
  if (model === "") throw new AnthropicRequestError("model is required");
  const maxTokens = body.max_tokens;
  if (!forCount && (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens <= 0))
    throw new AnthropicRequestError("max_tokens is required and must be positive");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw new AnthropicRequestError("messages is required");

  const messages: Obj[] = [];
  const system = systemText(body.system);
  if (system !== "") messages.push({ role: "system", content: system });
  messages.push(...convertMessages(body.messages, new Map()));

  const options: Obj = {};
  if (isRecord(body.options)) Object.assign(options, body.options);
  if (!forCount) options.num_predict = maxTokens;
  for (const key of ["temperature", "top_p", "top_k"]) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "number") throw new AnthropicRequestError(`${key} must be a number`);
    options[key] = v;
  }
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) {
    if (!body.stop_sequences.every((s) => typeof s === "string"))
      throw new AnthropicRequestError("stop_sequences must be a list of strings");
    options.stop = body.stop_sequences;
  }

  const choice = applyToolChoice(body.tool_choice, convertTools(body.tools));
  let think = thinkOf(body);
  let format: unknown;
  if (choice.forced) {
    format = toolCallFormat(choice.tools);
    think = false;
    options.stop = withJsonEnd(options.stop);
  }
  const native: Obj = {
    model,
    messages,
    options,
    ...(format !== undefined ? { format } : {}),
    ...(choice.tools.length > 0 ? { tools: choice.tools } : {}),
    ...(body.keep_alive !== undefined ? { keep_alive: body.keep_alive } : {}),
  };
  return {
    request: decodeChatRequest(JSON.stringify(native)),
    model,
    stream: body.stream === true,
    think,
  };
}

/**
 * Ollama's estimate for message_start, before the prompt is evaluated: a quarter of the bytes of
 * the system prompt, each message's role and content, and each tool's name, description and
 * schema; at least 1 when there are messages or a system prompt.
 */
export function estimateTokens(body: Obj): number {
  let bytes = contentBytes(body.system);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    if (!isRecord(m)) continue;
    bytes += typeof m.role === "string" ? Buffer.byteLength(m.role) : 0;
    // a string content is one text block, as MessageParam reads it
    bytes += typeof m.content === "string" ? Buffer.byteLength(m.content) : contentBytes(m.content);
  }
  if (Array.isArray(body.tools)) {
    for (const t of body.tools) {
      if (!isRecord(t)) continue;
      for (const v of [t.name, t.description]) bytes += typeof v === "string" ? Buffer.byteLength(v) : 0;
      if (t.input_schema !== undefined) bytes += Buffer.byteLength(JSON.stringify(t.input_schema));
    }
  }
  const tokens = Math.floor(bytes / 4);
  return tokens === 0 && (messages.length > 0 || (body.system !== undefined && body.system !== null))
    ? 1
    : tokens;
}

/** Ollama's countAnyContent: text and thinking of blocks, tool blocks whole, anything else as JSON. */
function contentBytes(content: unknown): number {
  if (content === undefined || content === null) return 0;
  if (typeof content === "string") return Buffer.byteLength(content);
  if (!Array.isArray(content)) return Buffer.byteLength(JSON.stringify(content));
  let bytes = 0;
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (typeof block.text === "string") bytes += Buffer.byteLength(block.text);
    if (typeof block.thinking === "string") bytes += Buffer.byteLength(block.thinking);
    if (block.type === "tool_use" || block.type === "tool_result")
      bytes += Buffer.byteLength(blockJson(block));
  }
  return bytes;
}

/** A block as Go marshals Ollama's ContentBlock: its fields in struct order, empty ones left out. */
function blockJson(block: Obj): string {
  const out: Obj = {};
  for (const key of [
    "type",
    "text",
    "citations",
    "source",
    "id",
    "name",
    "input",
    "tool_use_id",
    "content",
  ]) {
    const v = block[key];
    if (v !== undefined && v !== null && v !== "") out[key] = v;
  }
  if (block.is_error === true) out.is_error = true;
  if (typeof block.thinking === "string") out.thinking = block.thinking;
  if (typeof block.signature === "string" && block.signature !== "") out.signature = block.signature;
  return JSON.stringify(out);
}
