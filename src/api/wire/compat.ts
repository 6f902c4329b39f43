// The Go types Ollama's OpenAI and Anthropic layers bind request bodies to (openai/openai.go,
// anthropic/anthropic.go), as far as decoding them can fail. A body is checked against its shape
// first, so a wrong type gets gin's error text (`json: cannot unmarshal string into Go struct
// field ChatCompletionRequest.stream of type bool`); the routes then read the plain JSON, with the
// extensions tollama accepts beyond these types.
import {
  goAny,
  goBool,
  goFloat32,
  goFloat64,
  goInt,
  goPtr,
  goSlice,
  goString,
  goStruct,
  goUnmarshaler,
  unmarshal,
  type Dec,
  type FieldSpec,
} from "./decode.js";
import { decodeJson, JsonObject } from "./json.js";
import { GoError, GoTypeError, WireError } from "./errors.js";
import { toolArguments, toolDecoder } from "./tools.js";

type Shape = Dec<object>;

/** A struct whose decoded value is not kept: only the fields that can fail matter. */
function shape(goName: string, typeName: string, fields: Record<string, FieldSpec["dec"]>): Shape {
  const specs: FieldSpec[] = Object.entries(fields).map(([json, dec]) => ({ json, prop: json, dec }));
  return goStruct(goName, specs, () => ({}), typeName);
}

// ---- openai ----

const streamOptions = shape("StreamOptions", "openai.StreamOptions", { include_usage: goBool });

const openaiToolCall = shape("ToolCall", "openai.ToolCall", {
  id: goString,
  index: goInt(),
  type: goString,
  // an anonymous struct: Go names no struct in its errors
  function: shape("", 'struct { Name string "json:\\"name\\""; Arguments string "json:\\"arguments\\"" }', {
    name: goString,
    arguments: goString,
  }),
});

const openaiMessage = shape("Message", "openai.Message", {
  role: goString,
  content: goAny,
  reasoning: goString,
  tool_calls: goSlice(openaiToolCall, "[]openai.ToolCall"),
  name: goString,
  tool_call_id: goString,
});

const responseFormat = shape("ResponseFormat", "openai.ResponseFormat", {
  type: goString,
  json_schema: goPtr(shape("JsonSchema", "openai.JsonSchema", { schema: goAny })),
});

export const chatCompletionRequest = shape("ChatCompletionRequest", "openai.ChatCompletionRequest", {
  model: goString,
  messages: goSlice(openaiMessage, "[]openai.Message"),
  stream: goBool,
  stream_options: goPtr(streamOptions),
  max_tokens: goPtr(goInt()),
  seed: goPtr(goInt()),
  stop: goAny,
  temperature: goPtr(goFloat64),
  frequency_penalty: goPtr(goFloat64),
  presence_penalty: goPtr(goFloat64),
  top_p: goPtr(goFloat64),
  response_format: goPtr(responseFormat),
  tools: goSlice(toolDecoder, "[]api.Tool"),
  reasoning: goPtr(shape("Reasoning", "openai.Reasoning", { effort: goString })),
  reasoning_effort: goPtr(goString),
  logprobs: goPtr(goBool),
  top_logprobs: goInt(),
  _debug_render_only: goBool,
});

/** `prompt` is left out: Ollama's is a string, tollama also takes OpenAI's one-element list. */
export const completionRequest = shape("CompletionRequest", "openai.CompletionRequest", {
  model: goString,
  frequency_penalty: goFloat32,
  max_tokens: goPtr(goInt()),
  presence_penalty: goFloat32,
  seed: goPtr(goInt()),
  stop: goAny,
  stream: goBool,
  stream_options: goPtr(streamOptions),
  temperature: goPtr(goFloat32),
  top_p: goFloat32,
  suffix: goString,
  logprobs: goPtr(goInt()),
  _debug_render_only: goBool,
});

// ---- anthropic ----

const imageSource = shape("ImageSource", "anthropic.ImageSource", {
  type: goString,
  media_type: goString,
  data: goString,
  url: goString,
});

const citation = shape("Citation", "anthropic.Citation", {
  type: goString,
  url: goString,
  title: goString,
  encrypted_index: goString,
  cited_text: goString,
});

const contentBlock = shape("ContentBlock", "anthropic.ContentBlock", {
  type: goString,
  text: goPtr(goString),
  citations: goSlice(citation, "[]anthropic.Citation"),
  source: goPtr(imageSource),
  id: goString,
  name: goString,
  input: toolArguments,
  tool_use_id: goString,
  content: goAny,
  is_error: goBool,
  thinking: goPtr(goString),
  signature: goString,
});

/**
 * MessageParam's UnmarshalJSON: role and the raw content first, then a string content becomes a
 * text block and anything else decodes as []ContentBlock, in a json.Unmarshal of its own.
 */
const messageParam: Dec<undefined> = goUnmarshaler((v) => {
  unmarshal(
    v,
    shape("", "struct { Role string; Content json.RawMessage }", { role: goString, content: goAny }),
  );
  if (!(v instanceof JsonObject)) return undefined;
  const content = v.entries.findLast((e) => e.key === "content")?.value;
  if (content === undefined || content === null || typeof content === "string") return undefined;
  unmarshal(content, goSlice(contentBlock, "[]anthropic.ContentBlock"));
  return undefined;
});

const anthropicTool = shape("Tool", "anthropic.Tool", {
  type: goString,
  name: goString,
  description: goString,
  input_schema: goAny,
  max_uses: goInt(),
});

export const messagesRequest = shape("MessagesRequest", "anthropic.MessagesRequest", {
  model: goString,
  max_tokens: goInt(),
  messages: goSlice(messageParam, "[]anthropic.MessageParam"),
  system: goAny,
  stream: goBool,
  temperature: goPtr(goFloat64),
  top_p: goPtr(goFloat64),
  top_k: goPtr(goInt()),
  stop_sequences: goSlice(goString, "[]string"),
  tools: goSlice(anthropicTool, "[]anthropic.Tool"),
  tool_choice: goPtr(
    shape("ToolChoice", "anthropic.ToolChoice", {
      type: goString,
      name: goString,
      disable_parallel_tool_use: goBool,
    }),
  ),
  thinking: goPtr(
    shape("ThinkingConfig", "anthropic.ThinkingConfig", { type: goString, budget_tokens: goInt() }),
  ),
  metadata: goPtr(shape("Metadata", "anthropic.Metadata", { user_id: goString })),
  output_config: goPtr(shape("OutputConfig", "anthropic.OutputConfig", { effort: goString })),
});

/** A struct type known by name only: decoding it fails only for a value that is not an object. */
export function opaqueStruct(typeName: string): Shape {
  return shape("", typeName, {});
}

/**
 * gin's ShouldBindJSON into the type `s` describes: the first JSON value is read and what follows
 * it ignored, no body is "EOF", a cut one "unexpected EOF", and null an empty request. Returns the
 * body as plain JSON; every failure is a 400 with Go's text.
 */
export function bindJson(body: Buffer, s: Shape): Record<string, unknown> {
  const text = body.toString("utf8");
  const parsed = decodeJson(text);
  if (parsed.kind === "missing") throw new WireError("EOF");
  if (parsed.kind === "error") throw new WireError(parsed.message);
  try {
    unmarshal(parsed.value, s);
  } catch (err) {
    if (err instanceof GoTypeError || err instanceof GoError) throw new WireError(err.message);
    throw err;
  }
  const v: unknown = JSON.parse(text.slice(0, parsed.end));
  return v === null ? {} : (v as Record<string, unknown>);
}
