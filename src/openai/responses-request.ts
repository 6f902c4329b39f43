/**
 * OpenAI Responses request bodies to Ollama's native chat request, following Ollama's
 * openai.FromResponsesRequest: `instructions` as a system turn, `input` as a string or a list of
 * items (messages, function calls and their outputs, reasoning), `text.format` as the output
 * format, `reasoning.effort` as think. Beyond Ollama: `tool_choice` is enforced as on
 * /v1/chat/completions, `json_object` asks for JSON, and a tool result names its tool.
 */
import { decodeChatRequest, type ChatRequest } from "../api/wire/index.js";
import { OpenAIRequestError } from "./errors.js";
import {
  applyToolChoice,
  imageData,
  isRecord,
  optBool,
  optInt,
  optNumber,
  optString,
  thinkFromEffort,
  userOptions,
  withJsonEnd,
} from "./request.js";
import { toolCallFormat, type PlainTool } from "./toolchoice.js";

type Obj = Record<string, unknown>;

/** What the response echoes back of its request, as Ollama's ToResponse does. */
export interface ResponsesEcho {
  instructions: string;
  tools: unknown[];
  toolChoice: unknown;
  /** The text.format object as sent, or undefined for plain text. */
  textFormat: Obj | undefined;
  effort: string;
  summary: string;
  temperature: number | undefined;
  topP: number | undefined;
  truncation: string;
  maxOutputTokens: number | undefined;
  background: boolean;
}

export interface ResponsesConversion {
  model: string;
  stream: boolean;
  request: ChatRequest;
  echo: ResponsesEcho;
}

interface NativeMessage {
  role: string;
  content: string;
  images?: string[];
  thinking?: string;
  tool_calls?: { id?: string; function: { name: string; arguments: Obj } }[];
  tool_name?: string;
  tool_call_id?: string;
}

export function fromResponses(body: Obj): ResponsesConversion {
  const model = optString(body, "model") ?? "";
  const instructions = optString(body, "instructions") ?? "";
  const messages: NativeMessage[] = [];
  if (instructions) messages.push({ role: "system", content: instructions });
  messages.push(...inputMessages(body.input));

  // Ollama sends temperature 1.0 (OpenAI's default) when unset, but leaves top_p to the model.
  const options: Obj = { temperature: 1.0, ...userOptions(body) };
  const temperature = optNumber(body, "temperature");
  if (temperature !== undefined) options.temperature = temperature;
  const topP = optNumber(body, "top_p");
  if (topP !== undefined) options.top_p = topP;
  const maxOutputTokens = optInt(body, "max_output_tokens");
  if (maxOutputTokens !== undefined) options.num_predict = maxOutputTokens;

  const reasoning = isRecord(body.reasoning) ? body.reasoning : {};
  const effort = typeof reasoning.effort === "string" ? reasoning.effort : "";
  const summary = typeof reasoning.summary === "string" ? reasoning.summary : "";
  let think = thinkFromEffort(effort);

  const declared = body.tools === undefined || body.tools === null ? [] : body.tools;
  if (!Array.isArray(declared)) throw new OpenAIRequestError("'tools' must be an array");
  // Choices of hosted tools ({"type": "web_search"...}) leave the model free.
  const tc = body.tool_choice;
  const choice = applyToolChoice(
    isRecord(tc) && tc.type !== "function" && tc.type !== "allowed_tools" ? undefined : tc,
    declared.flatMap(functionTools),
  );
  const text = isRecord(body.text) ? body.text : {};
  const textFormat = isRecord(text.format) ? text.format : undefined;
  let format = outputFormat(textFormat);
  if (choice.forced && choice.tools) {
    format = toolCallFormat(choice.tools);
    think = false;
  }
  if (format !== undefined) options.stop = withJsonEnd(options.stop);

  const stream = optBool(body, "stream") ?? false;
  const native: Obj = {
    model,
    messages,
    stream,
    options,
    ...(format !== undefined ? { format } : {}),
    ...(choice.tools && choice.tools.length > 0 ? { tools: choice.tools } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(body.keep_alive !== undefined ? { keep_alive: body.keep_alive } : {}),
  };
  return {
    model,
    stream,
    request: decodeChatRequest(JSON.stringify(native)),
    echo: {
      instructions,
      tools: declared,
      toolChoice: body.tool_choice ?? "auto",
      textFormat,
      effort,
      summary,
      temperature,
      topP,
      truncation: optString(body, "truncation") ?? "disabled",
      maxOutputTokens,
      background: optBool(body, "background") ?? false,
    },
  };
}

/** json_schema gives its schema; json_object plain JSON (Ollama ignores it); text nothing. */
function outputFormat(format: Obj | undefined): unknown {
  if (format?.type === "json_schema") return format.schema ?? undefined;
  if (format?.type === "json_object") return "json";
  return undefined;
}

/**
 * A declared tool as the functions the model sees: a function (or a custom tool) as it is, a
 * namespace as its members under "namespace.name". Hosted tools (web_search, file_search...) are
 * left out: nothing here could run them.
 */
function functionTools(t: unknown): PlainTool[] {
  if (!isRecord(t)) throw new OpenAIRequestError("invalid tool: expected an object");
  if (t.type === "namespace") {
    const members = Array.isArray(t.tools) ? t.tools.flatMap(functionTools) : [];
    const prefix = typeof t.name === "string" && t.name ? `${t.name}.` : "";
    return members.map((m) =>
      prefix && !m.function.name.startsWith(prefix)
        ? { ...m, function: { ...m.function, name: prefix + m.function.name } }
        : m,
    );
  }
  if (t.type === "web_search" || typeof t.name !== "string" || !t.name) return [];
  const fn: Obj = { name: t.name };
  if (typeof t.description === "string") fn.description = t.description;
  if (isRecord(t.parameters)) fn.parameters = t.parameters;
  return [{ type: "function", function: fn as PlainTool["function"] }];
}

/** `input`: a string is one user turn; a list is items, in order. */
function inputMessages(input: unknown): NativeMessage[] {
  if (input === undefined || input === null || input === "") return [];
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (!Array.isArray(input)) throw new OpenAIRequestError("input must be a string or array");
  const items = input.map((raw, i) => inputItem(raw, i));
  const messages: NativeMessage[] = [];
  const toolNames = new Map<string, string>();
  let pendingThinking = "";
  const last = () => messages[messages.length - 1];
  for (const [i, item] of items.entries()) {
    switch (item.type) {
      case "reasoning":
        pendingThinking = reasoningText(item);
        break;
      case "message": {
        const msg = inputMessage(item, i);
        if (msg.role === "assistant" && pendingThinking) {
          msg.thinking = pendingThinking;
          pendingThinking = "";
        }
        // An assistant message replayed between a function call and its output stays in the
        // call's turn, so the tool result still follows the call it answers.
        const next = items[i + 1];
        const prev = last();
        if (
          msg.role === "assistant" &&
          next?.type === "function_call_output" &&
          prev?.role === "assistant" &&
          prev.tool_calls?.some((c) => c.id === next.call_id)
        ) {
          prev.content = [prev.content, msg.content].filter((s) => s !== "").join("\n");
          if (msg.images) prev.images = [...(prev.images ?? []), ...msg.images];
          if (msg.thinking) prev.thinking = msg.thinking;
          break;
        }
        messages.push(msg);
        break;
      }
      case "function_call": {
        const call = functionCall(item, i);
        if (call.id) toolNames.set(call.id, call.function.name);
        const prev = last();
        const target: NativeMessage = prev?.role === "assistant" ? prev : { role: "assistant", content: "" };
        if (target !== prev) messages.push(target);
        target.tool_calls = [...(target.tool_calls ?? []), call];
        if (pendingThinking) {
          target.thinking = pendingThinking;
          pendingThinking = "";
        }
        break;
      }
      case "function_call_output": {
        const callId = typeof item.call_id === "string" ? item.call_id : "";
        const { content, images } = outputContent(item.output, i);
        const name = toolNames.get(callId);
        messages.push({
          role: "tool",
          content,
          ...(images.length > 0 ? { images } : {}),
          ...(name ? { tool_name: name } : {}),
          ...(callId ? { tool_call_id: callId } : {}),
        });
        break;
      }
      // web_search_call: history of a hosted search; the assistant turn after it holds the result.
    }
  }
  if (pendingThinking) messages.push({ role: "assistant", content: "", thinking: pendingThinking });
  return messages;
}

/**
 * A replayed reasoning item's text: encrypted_content (plain text here, as in Ollama), else its
 * summary's.
 */
function reasoningText(item: Obj): string {
  if (typeof item.encrypted_content === "string" && item.encrypted_content) return item.encrypted_content;
  if (!Array.isArray(item.summary)) return "";
  return item.summary
    .map((part: unknown) => (isRecord(part) && typeof part.text === "string" ? part.text : ""))
    .join("");
}

const ITEM_TYPES = new Set([
  "message",
  "function_call",
  "function_call_output",
  "reasoning",
  "web_search_call",
]);

function inputItem(raw: unknown, i: number): Obj & { type: string } {
  if (!isRecord(raw)) throw new OpenAIRequestError(`input[${i}]: input item must be an object`);
  // The shorthand {"role": ..., "content": ...} is a message.
  let type = typeof raw.type === "string" ? raw.type : "";
  if (type === "" && typeof raw.role === "string" && raw.role !== "") type = "message";
  if (type === "") throw new OpenAIRequestError(`input[${i}]: input item missing required 'type' field`);
  if (!ITEM_TYPES.has(type))
    throw new OpenAIRequestError(`input[${i}]: unknown input item type: ${JSON.stringify(type)}`);
  return { ...raw, type };
}

function inputMessage(item: Obj, i: number): NativeMessage {
  const raw = typeof item.role === "string" ? item.role : "";
  // Templates know system, user, assistant and tool; "developer" is a system turn.
  const role = raw === "developer" ? "system" : raw;
  const { content, images } = contentParts(item.content, `input[${i}]`);
  return { role, content, ...(images.length > 0 ? { images } : {}) };
}

function functionCall(item: Obj, i: number): { id?: string; function: { name: string; arguments: Obj } } {
  const raw = typeof item.arguments === "string" ? item.arguments : "";
  let args: unknown = {};
  if (raw !== "") {
    try {
      args = JSON.parse(raw);
    } catch (err) {
      throw new OpenAIRequestError(
        `input[${i}]: failed to parse function call arguments: ${(err as Error).message}`,
      );
    }
  }
  if (!isRecord(args))
    throw new OpenAIRequestError(`input[${i}]: function call arguments must be a JSON object`);
  const callId = typeof item.call_id === "string" ? item.call_id : "";
  return {
    ...(callId ? { id: callId } : {}),
    function: { name: typeof item.name === "string" ? item.name : "", arguments: args },
  };
}

/** A function call's output: a string, or content parts whose text is joined. */
function outputContent(output: unknown, i: number): { content: string; images: string[] } {
  if (output === undefined || output === null) return { content: "", images: [] };
  if (typeof output === "string") return { content: output, images: [] };
  return contentParts(output, `input[${i}].output`);
}

/** Message content: a string, or a list of input_text / output_text / input_image parts. */
function contentParts(content: unknown, where: string): { content: string; images: string[] } {
  if (content === undefined || content === null) return { content: "", images: [] };
  if (typeof content === "string") return { content, images: [] };
  if (!Array.isArray(content)) throw new OpenAIRequestError(`${where}: content must be a string or array`);
  let text = "";
  const images: string[] = [];
  for (const [j, part] of content.entries()) {
    if (!isRecord(part)) throw new OpenAIRequestError(`${where}: content[${j}] must be an object`);
    switch (part.type) {
      case "input_text":
      case "output_text":
        text += typeof part.text === "string" ? part.text : "";
        break;
      case "input_image":
        // A file_id has nothing to resolve it against here, as in Ollama: the part is skipped.
        if (typeof part.image_url === "string" && part.image_url) images.push(imageData(part.image_url));
        break;
      case "input_file":
        throw new OpenAIRequestError("file inputs are not currently supported");
      default:
        throw new OpenAIRequestError(
          `${where}: content[${j}]: unknown content type: ${typeof part.type === "string" ? part.type : ""}`,
        );
    }
  }
  return { content: text, images };
}
