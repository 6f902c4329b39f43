// The decoded forms of Ollama's request bodies (api/types.go at HEAD) and one
// decoder per request. Decoders throw WireError with Ollama's exact 400 text.
import {
  type Dec,
  type GoAny,
  goAny,
  goBool,
  goBytes,
  goInt,
  goMap,
  goPtr,
  goSlice,
  goString,
  goStruct,
  goUnmarshaler,
  unmarshal,
} from "./decode.js";
import { GoError, GoTypeError, WireError, goQuote } from "./errors.js";
import { DurationError, parseGoDuration } from "../../util/duration.js";
import { decodeJson, JsonNumber, JsonObject, type JsonValue } from "./json.js";
import { type Tool, type ToolCall, toolCallDecoder, toolsDecoder } from "./tools.js";

/**
 * keep_alive (Ollama's api.Duration). A negative number or duration means
 * "stay loaded forever"; otherwise the time to stay loaded in milliseconds
 * (0: unload right after the request). Absent or null: undefined.
 */
export type KeepAlive = { readonly forever: true } | { readonly forever: false; readonly ms: number };

/** think: a boolean, or a level ("max" is kept; Ollama's handlers map it to "high"). */
export type Think = boolean | "high" | "medium" | "low" | "max";

/** A json.RawMessage: the exact text as sent (`"json"`, `""`, `null`, a schema) and its value. */
export interface RawJson {
  readonly raw: string;
  readonly value: unknown;
}

export interface Message {
  /** Lower-cased, as Message.UnmarshalJSON does. */
  role: string;
  content: string;
  thinking: string;
  images?: Buffer[];
  toolCalls?: ToolCall[];
  toolName: string;
  toolCallId: string;
}

export interface GenerateRequest {
  model: string;
  prompt: string;
  suffix: string;
  system: string;
  template: string;
  context?: number[];
  stream?: boolean;
  raw: boolean;
  format?: RawJson;
  keepAlive?: KeepAlive;
  images?: Buffer[];
  options?: Record<string, GoAny>;
  think?: Think;
  truncate?: boolean;
  shift?: boolean;
  debugRenderOnly: boolean;
  logprobs: boolean;
  topLogprobs: number;
}

export interface ChatRequest {
  model: string;
  messages?: Message[];
  stream?: boolean;
  format?: RawJson;
  keepAlive?: KeepAlive;
  tools?: Tool[];
  options?: Record<string, GoAny>;
  think?: Think;
  truncate?: boolean;
  shift?: boolean;
  debugRenderOnly: boolean;
  logprobs: boolean;
  topLogprobs: number;
}

export interface EmbedRequest {
  model: string;
  /** A string or an array; see embedInputStrings for Ollama's check. */
  input?: GoAny;
  keepAlive?: KeepAlive;
  truncate?: boolean;
  dimensions: number;
  options?: Record<string, GoAny>;
}

export interface EmbeddingRequest {
  model: string;
  prompt: string;
  keepAlive?: KeepAlive;
  options?: Record<string, GoAny>;
}

export interface CreateRequest {
  model: string;
  stream?: boolean;
  quantize: string;
  draftQuantize: string;
  from: string;
  remoteHost: string;
  files?: Record<string, string>;
  draftFiles?: Record<string, string>;
  adapters?: Record<string, string>;
  template: string;
  /** A string or a list of strings. */
  license?: GoAny;
  system: string;
  parameters?: Record<string, GoAny>;
  messages?: Message[];
  renderer: string;
  parser: string;
  requires: string;
  info?: Record<string, GoAny>;
  /** Deprecated spelling of model. */
  name: string;
  /** Deprecated spelling of quantize. */
  quantization: string;
}

export interface CopyRequest {
  source: string;
  destination: string;
}

export interface DeleteRequest {
  model: string;
  name: string;
}

export interface ShowRequest {
  model: string;
  system: string;
  template: string;
  verbose: boolean;
  options?: Record<string, GoAny>;
  name: string;
}

/** Pull and push share a shape; insecure/username/password are ignored by Ollama. */
export interface PullRequest {
  model: string;
  insecure: boolean;
  username: string;
  password: string;
  stream?: boolean;
  name: string;
}
export type PushRequest = PullRequest;

// ---- special field types ----

function goTypeName(v: GoAny): string {
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** Duration.UnmarshalJSON from api/types.go. */
const keepAlive: Dec<KeepAlive | undefined> = goPtr(
  goUnmarshaler((v) => {
    const any = unmarshal(v, goAny);
    if (typeof any === "number") {
      if (any < 0) return { forever: true };
      const ns = any * 1e9;
      // int64 overflow wraps to a negative Duration on amd64: never unloads
      if (ns >= 2 ** 63) return { forever: true };
      return { forever: false, ms: Math.trunc(ns) / 1e6 };
    }
    if (typeof any === "string") {
      let ns: bigint;
      try {
        ns = parseGoDuration(any);
      } catch (err) {
        throw err instanceof DurationError ? new GoError(err.message) : err;
      }
      if (ns < 0n) return { forever: true };
      return { forever: false, ms: Number(ns) / 1e6 };
    }
    throw new GoError(`Unsupported type: '${goTypeName(any)}'`);
  }),
);

const thinkLevels = new Set(["high", "medium", "low", "max"]);

/** ThinkValue.UnmarshalJSON from api/types.go. */
const think: Dec<Think | undefined> = goPtr(
  goUnmarshaler((v): Think => {
    if (typeof v === "boolean") return v;
    if (typeof v === "string") {
      if (!thinkLevels.has(v)) {
        throw new GoError(
          `invalid think value: ${goQuote(v)} (must be "high", "medium", "low", "max", true, or false)`,
        );
      }
      return v as Think;
    }
    throw new GoError('think must be a boolean or string ("high", "medium", "low", "max", true, or false)');
  }),
);

/** json.RawMessage keeps the bytes as sent, null included. */
const rawJson: Dec<RawJson | undefined> = (st, v) => {
  void v;
  return { raw: st.raw, value: JSON.parse(st.raw) as unknown };
};

const images = goSlice(goBytes("api.ImageData"), "[]api.ImageData");
const options = goMap(goAny, "map[string]interface {}");
const stringMap = goMap(goString, "map[string]string");
const optBool = goPtr(goBool);
const int = goInt();

// Message.UnmarshalJSON decodes into a local `type Alias Message`, which is
// why Go's errors about a message's own shape say "api.Alias".
const messageAlias = goStruct<Message>(
  "Alias",
  [
    { json: "role", prop: "role", dec: goString },
    { json: "content", prop: "content", dec: goString },
    { json: "thinking", prop: "thinking", dec: goString },
    { json: "images", prop: "images", dec: images },
    { json: "tool_calls", prop: "toolCalls", dec: goSlice(toolCallDecoder, "[]api.ToolCall") },
    { json: "tool_name", prop: "toolName", dec: goString },
    { json: "tool_call_id", prop: "toolCallId", dec: goString },
  ],
  () => ({ role: "", content: "", thinking: "", toolName: "", toolCallId: "" }),
);

const message: Dec<Message> = goUnmarshaler((v) => {
  const m = unmarshal(v, messageAlias);
  m.role = m.role.toLowerCase();
  return m;
});
const messages = goSlice(message, "[]api.Message");

// ---- request structs ----

const generateRequest = goStruct<GenerateRequest>(
  "GenerateRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "prompt", prop: "prompt", dec: goString },
    { json: "suffix", prop: "suffix", dec: goString },
    { json: "system", prop: "system", dec: goString },
    { json: "template", prop: "template", dec: goString },
    { json: "context", prop: "context", dec: goSlice(int, "[]int") },
    { json: "stream", prop: "stream", dec: optBool },
    { json: "raw", prop: "raw", dec: goBool },
    { json: "format", prop: "format", dec: rawJson },
    { json: "keep_alive", prop: "keepAlive", dec: keepAlive },
    { json: "images", prop: "images", dec: images },
    { json: "options", prop: "options", dec: options },
    { json: "think", prop: "think", dec: think },
    { json: "truncate", prop: "truncate", dec: optBool },
    { json: "shift", prop: "shift", dec: optBool },
    { json: "_debug_render_only", prop: "debugRenderOnly", dec: goBool },
    { json: "logprobs", prop: "logprobs", dec: goBool },
    { json: "top_logprobs", prop: "topLogprobs", dec: int },
  ],
  () => ({
    model: "",
    prompt: "",
    suffix: "",
    system: "",
    template: "",
    raw: false,
    debugRenderOnly: false,
    logprobs: false,
    topLogprobs: 0,
  }),
);

const chatRequest = goStruct<ChatRequest>(
  "ChatRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "messages", prop: "messages", dec: messages },
    { json: "stream", prop: "stream", dec: optBool },
    { json: "format", prop: "format", dec: rawJson },
    { json: "keep_alive", prop: "keepAlive", dec: keepAlive },
    { json: "tools", prop: "tools", dec: toolsDecoder },
    { json: "options", prop: "options", dec: options },
    { json: "think", prop: "think", dec: think },
    { json: "truncate", prop: "truncate", dec: optBool },
    { json: "shift", prop: "shift", dec: optBool },
    { json: "_debug_render_only", prop: "debugRenderOnly", dec: goBool },
    { json: "logprobs", prop: "logprobs", dec: goBool },
    { json: "top_logprobs", prop: "topLogprobs", dec: int },
  ],
  () => ({ model: "", debugRenderOnly: false, logprobs: false, topLogprobs: 0 }),
);

const embedRequest = goStruct<EmbedRequest>(
  "EmbedRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "input", prop: "input", dec: goAny },
    { json: "keep_alive", prop: "keepAlive", dec: keepAlive },
    { json: "truncate", prop: "truncate", dec: optBool },
    { json: "dimensions", prop: "dimensions", dec: int },
    { json: "options", prop: "options", dec: options },
  ],
  () => ({ model: "", dimensions: 0 }),
);

const embeddingRequest = goStruct<EmbeddingRequest>(
  "EmbeddingRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "prompt", prop: "prompt", dec: goString },
    { json: "keep_alive", prop: "keepAlive", dec: keepAlive },
    { json: "options", prop: "options", dec: options },
  ],
  () => ({ model: "", prompt: "" }),
);

const createRequest = goStruct<CreateRequest>(
  "CreateRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "stream", prop: "stream", dec: optBool },
    { json: "quantize", prop: "quantize", dec: goString },
    { json: "draft_quantize", prop: "draftQuantize", dec: goString },
    { json: "from", prop: "from", dec: goString },
    { json: "remote_host", prop: "remoteHost", dec: goString },
    { json: "files", prop: "files", dec: stringMap },
    { json: "draft_files", prop: "draftFiles", dec: stringMap },
    { json: "adapters", prop: "adapters", dec: stringMap },
    { json: "template", prop: "template", dec: goString },
    { json: "license", prop: "license", dec: goAny },
    { json: "system", prop: "system", dec: goString },
    { json: "parameters", prop: "parameters", dec: options },
    { json: "messages", prop: "messages", dec: messages },
    { json: "renderer", prop: "renderer", dec: goString },
    { json: "parser", prop: "parser", dec: goString },
    { json: "requires", prop: "requires", dec: goString },
    { json: "info", prop: "info", dec: options },
    { json: "name", prop: "name", dec: goString },
    { json: "quantization", prop: "quantization", dec: goString },
  ],
  () => ({
    model: "",
    quantize: "",
    draftQuantize: "",
    from: "",
    remoteHost: "",
    template: "",
    system: "",
    renderer: "",
    parser: "",
    requires: "",
    name: "",
    quantization: "",
  }),
);

const copyRequest = goStruct<CopyRequest>(
  "CopyRequest",
  [
    { json: "source", prop: "source", dec: goString },
    { json: "destination", prop: "destination", dec: goString },
  ],
  () => ({ source: "", destination: "" }),
);

const deleteRequest = goStruct<DeleteRequest>(
  "DeleteRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "name", prop: "name", dec: goString },
  ],
  () => ({ model: "", name: "" }),
);

const showRequest = goStruct<ShowRequest>(
  "ShowRequest",
  [
    { json: "model", prop: "model", dec: goString },
    { json: "system", prop: "system", dec: goString },
    { json: "template", prop: "template", dec: goString },
    { json: "verbose", prop: "verbose", dec: goBool },
    { json: "options", prop: "options", dec: options },
    { json: "name", prop: "name", dec: goString },
  ],
  () => ({ model: "", system: "", template: "", verbose: false, name: "" }),
);

function pullLike(goName: string): Dec<PullRequest> {
  return goStruct<PullRequest>(
    goName,
    [
      { json: "model", prop: "model", dec: goString },
      { json: "insecure", prop: "insecure", dec: goBool },
      { json: "username", prop: "username", dec: goString },
      { json: "password", prop: "password", dec: goString },
      { json: "stream", prop: "stream", dec: optBool },
      { json: "name", prop: "name", dec: goString },
    ],
    () => ({ model: "", insecure: false, username: "", password: "", stream: undefined, name: "" }),
  );
}
const pullRequest = pullLike("PullRequest");
const pushRequest = pullLike("PushRequest");

// ---- entry points ----

/** gin's ShouldBindJSON into a Go struct, with Ollama's missing-body message. */
export function bindJson<T>(body: string | Buffer, dec: Dec<T>): T {
  const parsed = decodeJson(body);
  if (parsed.kind === "missing") throw new WireError("missing request body");
  if (parsed.kind === "error") throw new WireError(parsed.message);
  try {
    return unmarshal(parsed.value, dec);
  } catch (err) {
    if (err instanceof GoError || err instanceof GoTypeError) throw new WireError(err.message);
    throw err;
  }
}

function checkTopLogprobs<T extends { topLogprobs: number }>(req: T): T {
  if (req.topLogprobs < 0 || req.topLogprobs > 20)
    throw new WireError("top_logprobs must be between 0 and 20");
  return req;
}

/** POST /api/generate body (includes Ollama's top_logprobs range check). */
export function decodeGenerateRequest(body: string | Buffer): GenerateRequest {
  return checkTopLogprobs(bindJson(body, generateRequest));
}
/** POST /api/chat body (includes Ollama's top_logprobs range check). */
export function decodeChatRequest(body: string | Buffer): ChatRequest {
  return checkTopLogprobs(bindJson(body, chatRequest));
}
export function decodeEmbedRequest(body: string | Buffer): EmbedRequest {
  return bindJson(body, embedRequest);
}
export function decodeEmbeddingRequest(body: string | Buffer): EmbeddingRequest {
  return bindJson(body, embeddingRequest);
}
export function decodeCreateRequest(body: string | Buffer): CreateRequest {
  return bindJson(body, createRequest);
}
export function decodeCopyRequest(body: string | Buffer): CopyRequest {
  return bindJson(body, copyRequest);
}
export function decodeDeleteRequest(body: string | Buffer): DeleteRequest {
  return bindJson(body, deleteRequest);
}
export function decodeShowRequest(body: string | Buffer): ShowRequest {
  return bindJson(body, showRequest);
}
export function decodePullRequest(body: string | Buffer): PullRequest {
  return bindJson(body, pullRequest);
}
export function decodePushRequest(body: string | Buffer): PushRequest {
  return bindJson(body, pushRequest);
}

/** A Message array on its own (e.g. a Modelfile's MESSAGE list stored as JSON). */
export function decodeMessages(value: JsonValue): Message[] | undefined {
  return unmarshal(value, messages);
}

/**
 * EmbedHandler's input check: a string (empty means no input) or an array of
 * strings; anything else is "invalid input type". Ollama runs it after the
 * model name check, so it is separate from decoding.
 */
export function embedInputStrings(input: GoAny | undefined): string[] {
  if (input === undefined || input === null) return [];
  if (typeof input === "string") return input.length > 0 ? [input] : [];
  if (Array.isArray(input)) {
    return input.map((v) => {
      if (typeof v !== "string") throw new WireError("invalid input type");
      return v;
    });
  }
  throw new WireError("invalid input type");
}

export { JsonNumber, JsonObject };
