// The request-decoding layer: Go/gin-compatible JSON reading and Ollama's
// request types. Routes import from here only.
export { WireError, goQuote } from "./errors.js";
export {
  decodeJson,
  JsonNumber,
  JsonObject,
  type JsonEntry,
  type JsonValue,
  type DecodedJson,
} from "./json.js";
export { parseGoDuration, formatGoDuration } from "../../util/duration.js";
export { type GoAny, goBase64 } from "./decode.js";
export { type Options, OPTION_TABLE, defaultOptions, optionsFromMap, mergeOptions } from "./options.js";
export {
  type Tool,
  type ToolFunction,
  type ToolFunctionParameters,
  type ToolProperty,
  type ToolCall,
  type ToolCallFunction,
  marshalTool,
  marshalTools,
  marshalToolFunction,
  marshalToolProperty,
  marshalToolArguments,
  marshalGoAny,
  goJsonString,
} from "./tools.js";
export * from "./requests.js";
export {
  bindJson,
  opaqueStruct,
  chatCompletionRequest,
  completionRequest,
  messagesRequest,
} from "./compat.js";
