/**
 * OpenAI request bodies to Ollama's native requests, following Ollama's openai.FromChatRequest /
 * FromCompleteRequest, plus what Ollama lacks: an enforced tool_choice, an `options` object merged
 * under the OpenAI fields, `keep_alive`, `max_completion_tokens`, and `developer` messages as
 * system messages. The native body is built as JSON and decoded by the wire layer, so the
 * resulting ChatRequest / GenerateRequest is exactly what /api/chat and /api/generate would get.
 */
import {
  decodeChatRequest,
  decodeGenerateRequest,
  type ChatRequest,
  type GenerateRequest,
} from "../api/wire/index.js";
import { OpenAIRequestError } from "./errors.js";
import { toolCallFormat, type PlainTool } from "./toolchoice.js";

type Obj = Record<string, unknown>;

export function isRecord(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Go's %T of a decoded JSON value. */
export function goTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** How Go's UnmarshalTypeError names a JSON value's kind. */
function goKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

export function optString(body: Obj, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new OpenAIRequestError(`'${key}' must be a string`);
  return v;
}

export function optNumber(body: Obj, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new OpenAIRequestError(`'${key}' must be a number`);
  return v;
}

export function optInt(body: Obj, key: string): number | undefined {
  const v = optNumber(body, key);
  if (v !== undefined && !Number.isInteger(v)) throw new OpenAIRequestError(`'${key}' must be an integer`);
  return v;
}

export function optBool(body: Obj, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new OpenAIRequestError(`'${key}' must be a boolean`);
  return v;
}

export function userOptions(body: Obj): Obj {
  const o = body.options;
  if (o === undefined || o === null) return {};
  if (!isRecord(o)) throw new OpenAIRequestError("'options' must be an object");
  return { ...o };
}

/** `stop` as a string or a list; chat skips non-strings (as Ollama), completions reject them. */
function stops(v: unknown, strict: boolean): string[] | undefined {
  if (typeof v === "string") return [v];
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const s of v) {
    if (typeof s === "string") out.push(s);
    else if (strict) throw new OpenAIRequestError(`invalid type for 'stop' field: ${goTypeOf(s)}`);
  }
  return out;
}

export interface StreamSettings {
  stream: boolean;
  includeUsage: boolean;
}

function streamSettings(body: Obj): StreamSettings {
  const so = body.stream_options;
  return {
    stream: optBool(body, "stream") ?? false,
    includeUsage: isRecord(so) && so.include_usage === true,
  };
}

// ---- /v1/chat/completions ----

export interface ChatConversion extends StreamSettings {
  request: ChatRequest;
  model: string;
}

/** Ollama's thinkFromReasoningEffort: OpenAI's wider scale clamped onto Ollama's levels. */
export function thinkFromEffort(effort: string): boolean | string | undefined {
  switch (effort) {
    case "":
      return undefined;
    case "none":
      return false;
    case "minimal":
      return "low";
    case "low":
    case "medium":
    case "high":
    case "max":
      return effort;
    case "xhigh":
    case "ultra":
      return "max";
    default:
      throw new OpenAIRequestError(
        `invalid reasoning value: ${JSON.stringify(effort)} (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")`,
      );
  }
}

/** A data URL (or bare `data:;base64,`) to base64 text; remote URLs are refused, as in Ollama. */
export function imageData(url: string): string {
  if (url.startsWith("http://") || url.startsWith("https://"))
    throw new OpenAIRequestError(
      "image URLs are not currently supported, please use base64 encoded data instead",
    );
  let data: string | undefined;
  if (url.startsWith("data:;base64,")) data = url.slice("data:;base64,".length);
  else {
    for (const t of ["jpeg", "jpg", "png", "webp"]) {
      const prefix = `data:image/${t};base64,`;
      if (url.startsWith(prefix)) {
        data = url.slice(prefix.length);
        break;
      }
    }
  }
  if (data === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0)
    throw new OpenAIRequestError("invalid image input");
  return data;
}

interface NativeToolCall {
  id?: string;
  function: { name: string; arguments: unknown };
}

function fromToolCalls(calls: unknown): NativeToolCall[] | undefined {
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) throw new OpenAIRequestError("invalid message format");
  return calls.map((c: unknown) => {
    if (!isRecord(c) || !isRecord(c.function)) throw new OpenAIRequestError("invalid message format");
    const fn = c.function;
    const raw = fn.arguments;
    let args: unknown;
    if (isRecord(raw)) args = raw;
    else {
      try {
        args = JSON.parse(typeof raw === "string" ? raw : "");
      } catch {
        throw new OpenAIRequestError("invalid tool call arguments");
      }
    }
    if (!isRecord(args)) throw new OpenAIRequestError("invalid tool call arguments");
    return {
      ...(typeof c.id === "string" && c.id ? { id: c.id } : {}),
      function: { name: typeof fn.name === "string" ? fn.name : "", arguments: args },
    };
  });
}

function toolNameFor(messages: Obj[], id: string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const calls = messages[i]?.tool_calls;
    if (!Array.isArray(calls)) continue;
    for (const c of calls) {
      if (isRecord(c) && c.id === id && isRecord(c.function) && typeof c.function.name === "string")
        return c.function.name;
    }
  }
  return "";
}

function fromMessages(list: unknown): Obj[] {
  if (!Array.isArray(list) || list.length === 0) throw new OpenAIRequestError("[] is too short - 'messages'");
  const msgs = list.map((m) => {
    if (!isRecord(m)) throw new OpenAIRequestError("invalid message format");
    return m;
  });
  const out: Obj[] = [];
  for (const m of msgs) {
    const rawRole = typeof m.role === "string" ? m.role : "";
    // Templates know system, user, assistant and tool; OpenAI's newer "developer" is a system turn.
    const role = rawRole.toLowerCase() === "developer" ? "system" : rawRole;
    const native: Obj = { role };
    if (typeof m.reasoning === "string" && m.reasoning) native.thinking = m.reasoning;
    else if (typeof m.reasoning_content === "string" && m.reasoning_content)
      native.thinking = m.reasoning_content;
    if (role.toLowerCase() === "tool") {
      let name = typeof m.name === "string" ? m.name : "";
      const callId = typeof m.tool_call_id === "string" ? m.tool_call_id : "";
      if (!name && callId) name = toolNameFor(msgs, callId);
      if (name) native.tool_name = name;
      if (callId) native.tool_call_id = callId;
    }
    const calls = fromToolCalls(m.tool_calls);
    if (calls && calls.length > 0) native.tool_calls = calls;
    const content = m.content;
    if (typeof content === "string") native.content = content;
    else if (Array.isArray(content)) {
      // Ollama turns each part into its own message, which its templates then merge, joining
      // consecutive same-role contents with a blank line. One message with the text parts joined
      // that way and the images attached renders the same with Go templates, and better with Jinja.
      const texts: string[] = [];
      const images: string[] = [];
      for (const part of content) {
        if (!isRecord(part)) throw new OpenAIRequestError("invalid message format");
        if (part.type === "text") {
          if (typeof part.text !== "string") throw new OpenAIRequestError("invalid message format");
          texts.push(part.text);
        } else if (part.type === "image_url") {
          const iu = part.image_url;
          const url = isRecord(iu) ? iu.url : iu;
          if (typeof url !== "string") throw new OpenAIRequestError("invalid message format");
          images.push(imageData(url));
        } else if (part.type === "input_audio") {
          const a = part.input_audio;
          if (!isRecord(a)) throw new OpenAIRequestError("invalid input_audio format");
          if (typeof a.data !== "string")
            throw new OpenAIRequestError("invalid input_audio format: missing data");
          images.push(a.data);
        } else throw new OpenAIRequestError("invalid message format");
      }
      native.content = texts.join("\n\n");
      if (images.length > 0) native.images = images;
    } else if (content === undefined || content === null) {
      if (m.tool_calls === undefined || m.tool_calls === null)
        throw new OpenAIRequestError(`invalid message content type: ${goTypeOf(content)}`);
    } else throw new OpenAIRequestError(`invalid message content type: ${goTypeOf(content)}`);
    out.push(native);
  }
  return out;
}

function fromTools(v: unknown): PlainTool[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new OpenAIRequestError("'tools' must be an array");
  // Custom (free-form) and hosted tools have no function for a template or parser: skipped.
  const functions = v.filter((t) => !isRecord(t) || t.type === undefined || t.type === "function");
  return functions.map((t) => {
    if (!isRecord(t) || !isRecord(t.function) || typeof t.function.name !== "string")
      throw new OpenAIRequestError('invalid tool: expected {"type": "function", "function": {"name": ...}}');
    return t as unknown as PlainTool;
  });
}

/** tool_choice: which tools the model sees, and whether it must call one of them. */
export function applyToolChoice(
  choice: unknown,
  tools: PlainTool[] | undefined,
): { tools: PlainTool[] | undefined; forced: boolean } {
  if (choice === undefined || choice === null || choice === "auto") return { tools, forced: false };
  if (choice === "none") return { tools: undefined, forced: false };
  const available = tools ?? [];
  if (choice === "required") {
    if (available.length === 0)
      throw new OpenAIRequestError("tool_choice 'required' needs at least one tool in 'tools'");
    return { tools: available, forced: true };
  }
  if (isRecord(choice) && choice.type === "allowed_tools") return allowedTools(choice, available);
  if (isRecord(choice)) {
    const fn = isRecord(choice.function) ? choice.function : undefined;
    const name =
      fn && typeof fn.name === "string" ? fn.name : typeof choice.name === "string" ? choice.name : undefined;
    if (name !== undefined) {
      const tool = available.find((t) => t.function.name === name);
      if (!tool)
        throw new OpenAIRequestError(`tool_choice names function '${name}', which is not in 'tools'`);
      return { tools: [tool], forced: true };
    }
  }
  throw new OpenAIRequestError(
    `invalid tool_choice: expected "none", "auto", "required" or {"type": "function", "function": {"name": ...}}`,
  );
}

/**
 * OpenAI's `allowed_tools` choice: only the listed tools are offered, and with mode "required" one
 * must be called. Chat Completions nests it (`allowed_tools: {mode, tools}`), Responses does not;
 * each tool is `{type, function: {name}}` or `{type, name}`.
 */
function allowedTools(
  choice: Record<string, unknown>,
  available: PlainTool[],
): { tools: PlainTool[] | undefined; forced: boolean } {
  const spec = isRecord(choice.allowed_tools) ? choice.allowed_tools : choice;
  const listed = Array.isArray(spec.tools) ? spec.tools : [];
  const names = new Set(
    listed.flatMap((t) => {
      if (!isRecord(t)) return [];
      const name = isRecord(t.function) ? t.function.name : t.name;
      return typeof name === "string" ? [name] : [];
    }),
  );
  const tools = available.filter((t) => names.has(t.function.name));
  if (spec.mode === "required") return applyToolChoice("required", tools);
  return { tools: tools.length > 0 ? tools : undefined, forced: false };
}

function responseFormat(v: unknown): unknown {
  if (!isRecord(v)) return undefined;
  const type = typeof v.type === "string" ? v.type.trim().toLowerCase() : "";
  if (type === "json_object") return "json";
  if (type === "json_schema" && isRecord(v.json_schema)) return v.json_schema.schema;
  return undefined;
}

export function fromChatCompletion(body: Obj): ChatConversion {
  const model = optString(body, "model") ?? "";
  const messages = fromMessages(body.messages);
  const settings = streamSettings(body);

  // Ollama sends temperature and top_p 1.0 (OpenAI's defaults) when unset; an `options` object
  // sits between those defaults and the OpenAI fields.
  const options: Obj = { temperature: 1.0, top_p: 1.0, ...userOptions(body) };
  const stop = stops(body.stop, false);
  if (stop !== undefined) options.stop = stop;
  const maxTokens = optInt(body, "max_completion_tokens") ?? optInt(body, "max_tokens");
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  const fields: [string, string][] = [
    ["temperature", "temperature"],
    ["top_p", "top_p"],
    ["seed", "seed"],
    ["frequency_penalty", "frequency_penalty"],
    ["presence_penalty", "presence_penalty"],
  ];
  for (const [from, to] of fields) {
    const v = from === "seed" ? optInt(body, from) : optNumber(body, from);
    if (v !== undefined) options[to] = v;
  }

  const reasoning = body.reasoning;
  const effort = isRecord(reasoning)
    ? typeof reasoning.effort === "string"
      ? reasoning.effort
      : ""
    : (optString(body, "reasoning_effort") ?? "");
  let think = thinkFromEffort(effort);

  const choice = applyToolChoice(body.tool_choice, fromTools(body.tools));
  let format = responseFormat(body.response_format);
  if (choice.forced && choice.tools) {
    format = toolCallFormat(choice.tools);
    // The grammar writes the call from the first token: there is no room for thinking.
    think = false;
  }

  if (format !== undefined) options.stop = withJsonEnd(options.stop);
  const topLogprobs = optInt(body, "top_logprobs");

  const native: Obj = {
    model,
    messages,
    stream: settings.stream,
    options,
    ...(format !== undefined ? { format } : {}),
    ...(choice.tools && choice.tools.length > 0 ? { tools: choice.tools } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(body.keep_alive !== undefined ? { keep_alive: body.keep_alive } : {}),
    ...(optBool(body, "logprobs") ? { logprobs: true } : {}),
    ...(topLogprobs !== undefined ? { top_logprobs: topLogprobs } : {}),
    ...debugRenderOnly(body),
  };
  return { ...settings, model, request: decodeChatRequest(JSON.stringify(native)) };
}

/** Ollama's `_debug_render_only`, passed on as its native API takes it. */
function debugRenderOnly(body: Obj): Obj {
  return optBool(body, "_debug_render_only") ? { _debug_render_only: true } : {};
}

/**
 * The engine's JSON-schema grammar lets the model write newlines after the closing brace until
 * max_tokens (node-llama-cpp ends such runs with a "\n\n\n\n" trigger our engine does not use);
 * JSON never holds two newlines in a row outside a string, so "\n\n" ends the answer there, with
 * finish_reason "stop" instead of "length".
 */
export function withJsonEnd(stop: unknown): string[] {
  const list = Array.isArray(stop) ? stop.filter((s): s is string => typeof s === "string") : [];
  return list.includes("\n\n") ? list : [...list, "\n\n"];
}

// ---- /v1/completions ----

export interface CompletionConversion extends StreamSettings {
  request: GenerateRequest;
  model: string;
  /** With `echo`, the prompt, which the choice's text starts with (Ollama ignores echo); else "". */
  echo: string;
}

export function fromCompletion(body: Obj): CompletionConversion {
  const model = optString(body, "model") ?? "";
  let prompt = body.prompt;
  // Ollama takes one prompt string; a list holding one string is the same request.
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === "string") prompt = prompt[0];
  if (prompt !== undefined && prompt !== null && typeof prompt !== "string")
    throw new OpenAIRequestError(
      `json: cannot unmarshal ${goKind(prompt)} into Go struct field CompletionRequest.prompt of type string`,
    );
  // `n` is not read, as on /v1/chat/completions and in Ollama: one choice.
  const settings = streamSettings(body);
  const options: Obj = { temperature: 1.0, top_p: 1.0, ...userOptions(body) };
  const stop = stops(body.stop, true);
  if (stop !== undefined) options.stop = stop;
  const maxTokens = optInt(body, "max_tokens");
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  const temperature = optNumber(body, "temperature");
  if (temperature !== undefined) options.temperature = temperature;
  const seed = optInt(body, "seed");
  if (seed !== undefined) options.seed = seed;
  // As in Ollama: the penalties are always sent (0 when unset), and a top_p of 0 means 1.
  options.frequency_penalty = optNumber(body, "frequency_penalty") ?? options.frequency_penalty ?? 0;
  options.presence_penalty = optNumber(body, "presence_penalty") ?? options.presence_penalty ?? 0;
  const topP = optNumber(body, "top_p");
  if (topP !== undefined && topP !== 0) options.top_p = topP;
  // The legacy API's logprobs is the number of alternatives; 0 still reports the chosen tokens.
  const logprobs = optInt(body, "logprobs");
  const native: Obj = {
    model,
    prompt: typeof prompt === "string" ? prompt : "",
    suffix: optString(body, "suffix") ?? "",
    stream: settings.stream,
    options,
    ...(logprobs !== undefined ? { logprobs: true, top_logprobs: logprobs } : {}),
    ...(body.keep_alive !== undefined ? { keep_alive: body.keep_alive } : {}),
    ...debugRenderOnly(body),
  };
  const echo = optBool(body, "echo") === true && typeof prompt === "string" ? prompt : "";
  return { ...settings, model, echo, request: decodeGenerateRequest(JSON.stringify(native)) };
}
