// Tools and tool calls as Ollama's api package decodes them, plus a printer
// that reproduces Go's json.Marshal of those structs (field order, omitempty,
// HTML escaping, sorted keys for plain maps, insertion order for the ordered
// maps) so templates can print tools exactly as Ollama does.
import { GoError, GoTypeError } from "./errors.js";
import {
  type Dec,
  type GoAny,
  goAny,
  goInt,
  goPtr,
  goSlice,
  goString,
  goStruct,
  goUnmarshaler,
  unmarshal,
} from "./decode.js";
import { JsonObject, type JsonValue } from "./json.js";

/** A JSON-schema property; `type` is Ollama's PropertyType (string or list). */
export interface ToolProperty {
  anyOf?: ToolProperty[];
  type?: string[];
  items?: GoAny;
  description: string;
  enum?: GoAny[];
  /** Ordered by first appearance, as Ollama's ToolPropertiesMap. */
  properties?: Map<string, ToolProperty> | null;
  required?: string[];
}

export interface ToolFunctionParameters {
  type: string;
  defs?: GoAny; // "$defs"
  items?: GoAny;
  required?: string[];
  /** undefined: absent or null (prints as null). */
  properties?: Map<string, ToolProperty> | null;
}

export interface ToolFunction {
  name: string;
  description: string;
  parameters: ToolFunctionParameters;
}

export interface Tool {
  type: string;
  items?: GoAny;
  function: ToolFunction;
}

export interface ToolCallFunction {
  index: number;
  name: string;
  /** Argument order as written; nested objects are plain (unordered in Go). */
  arguments: Map<string, GoAny>;
}

export interface ToolCall {
  id: string;
  function: ToolCallFunction;
}

// github.com/buger/jsonparser's error when an ordered map is given a non-object.
const malformedObject = "Value looks like object, but can't find closing '}' symbol";

/** Ollama's orderedmap UnmarshalJSON: each value goes through its own json.Unmarshal. */
function orderedMap<T>(elem: Dec<T>): (v: JsonValue) => Map<string, T> | null {
  return (v) => {
    if (v === null) return null;
    if (!(v instanceof JsonObject)) throw new GoError(malformedObject);
    const out = new Map<string, T>();
    for (const e of v.entries) out.set(e.key, unmarshal(e.value, elem));
    return out;
  };
}

// PropertyType.UnmarshalJSON: a string, else a []string (whose error is kept).
const stringList = goSlice(goString, "[]string");
const propertyType: Dec<string[] | undefined> = goUnmarshaler((v) => {
  if (typeof v === "string" || v === null) return [v ?? ""];
  return unmarshal(v, stringList);
});

// Declared before use through a thunk: ToolProperty is recursive.
const toolPropertyRef: Dec<ToolProperty> = (st, v, prev) => toolProperty(st, v, prev);
const propertiesMap: Dec<Map<string, ToolProperty> | null | undefined> = goPtr(
  goUnmarshaler(orderedMap(toolPropertyRef)),
);

const toolProperty: Dec<ToolProperty> = goStruct<ToolProperty>(
  "ToolProperty",
  [
    { json: "anyOf", prop: "anyOf", dec: goSlice(toolPropertyRef, "[]api.ToolProperty") },
    { json: "type", prop: "type", dec: propertyType },
    { json: "items", prop: "items", dec: goAny },
    { json: "description", prop: "description", dec: goString },
    { json: "enum", prop: "enum", dec: goSlice(goAny, "[]interface {}") },
    { json: "properties", prop: "properties", dec: propertiesMap },
    { json: "required", prop: "required", dec: stringList },
  ],
  () => ({ description: "" }),
);

const toolFunctionParameters = goStruct<ToolFunctionParameters>(
  "ToolFunctionParameters",
  [
    { json: "type", prop: "type", dec: goString },
    { json: "$defs", prop: "defs", dec: goAny },
    { json: "items", prop: "items", dec: goAny },
    { json: "required", prop: "required", dec: stringList },
    { json: "properties", prop: "properties", dec: propertiesMap },
  ],
  () => ({ type: "" }),
);

const toolFunction = goStruct<ToolFunction>(
  "ToolFunction",
  [
    { json: "name", prop: "name", dec: goString },
    { json: "description", prop: "description", dec: goString },
    { json: "parameters", prop: "parameters", dec: toolFunctionParameters },
  ],
  () => ({ name: "", description: "", parameters: { type: "" } }),
);

export const toolDecoder: Dec<Tool> = goStruct<Tool>(
  "Tool",
  [
    { json: "type", prop: "type", dec: goString },
    { json: "items", prop: "items", dec: goAny },
    { json: "function", prop: "function", dec: toolFunction },
  ],
  () => ({ type: "", function: { name: "", description: "", parameters: { type: "" } } }),
);

export const toolsDecoder = goSlice(toolDecoder, "api.Tools");

// ToolCallFunctionArguments.UnmarshalJSON; null leaves an empty argument list.
export const toolArguments: Dec<Map<string, GoAny>> = goUnmarshaler((v) => orderedMap(goAny)(v) ?? new Map());

const toolCallFunction = goStruct<ToolCallFunction>(
  "ToolCallFunction",
  [
    { json: "index", prop: "index", dec: goInt() },
    { json: "name", prop: "name", dec: goString },
    { json: "arguments", prop: "arguments", dec: toolArguments },
  ],
  () => ({ index: 0, name: "", arguments: new Map() }),
);

export const toolCallDecoder = goStruct<ToolCall>(
  "ToolCall",
  [
    { json: "id", prop: "id", dec: goString },
    { json: "function", prop: "function", dec: toolCallFunction },
  ],
  () => ({ id: "", function: { index: 0, name: "", arguments: new Map() } }),
);

// ---- printing, as Go's json.Marshal ----

// eslint-disable-next-line no-control-regex -- Go escapes control characters
const needsEscape = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/** A Go-marshalled JSON string (HTML-safe, like json.Marshal's default). */
export function goJsonString(s: string): string {
  if (!needsEscape.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/** Go's encoding of a float64 (same thresholds as JavaScript's). */
function goNumber(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

/** json.Marshal of an `any` value: maps come out with sorted keys. */
export function marshalGoAny(v: GoAny | undefined): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return goNumber(v);
  if (typeof v === "string") return goJsonString(v);
  if (Array.isArray(v)) return "[" + v.map(marshalGoAny).join(",") + "]";
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return "{" + keys.map((k) => goJsonString(k) + ":" + marshalGoAny(v[k] ?? null)).join(",") + "}";
}

function orderedMapJson<T>(m: Map<string, T>, value: (v: T) => string): string {
  const parts: string[] = [];
  for (const [k, v] of m) parts.push(goJsonString(k) + ":" + value(v));
  return "{" + parts.join(",") + "}";
}

function stringsJson(list: string[]): string {
  return "[" + list.map(goJsonString).join(",") + "]";
}

export function marshalToolProperty(p: ToolProperty): string {
  const parts: string[] = [];
  if (p.anyOf && p.anyOf.length > 0)
    parts.push('"anyOf":[' + p.anyOf.map(marshalToolProperty).join(",") + "]");
  if (p.type && p.type.length > 0) {
    parts.push('"type":' + (p.type.length === 1 ? goJsonString(p.type[0] ?? "") : stringsJson(p.type)));
  }
  if (p.items !== undefined && p.items !== null) parts.push('"items":' + marshalGoAny(p.items));
  if (p.description !== "") parts.push('"description":' + goJsonString(p.description));
  if (p.enum && p.enum.length > 0) parts.push('"enum":' + marshalGoAny(p.enum));
  if (p.properties !== undefined) {
    parts.push(
      '"properties":' + (p.properties === null ? "null" : orderedMapJson(p.properties, marshalToolProperty)),
    );
  }
  if (p.required && p.required.length > 0) parts.push('"required":' + stringsJson(p.required));
  return "{" + parts.join(",") + "}";
}

export function marshalToolFunction(f: ToolFunction): string {
  const p = f.parameters;
  const params: string[] = ['"type":' + goJsonString(p.type)];
  if (p.defs !== undefined && p.defs !== null) params.push('"$defs":' + marshalGoAny(p.defs));
  if (p.items !== undefined && p.items !== null) params.push('"items":' + marshalGoAny(p.items));
  if (p.required && p.required.length > 0) params.push('"required":' + stringsJson(p.required));
  params.push('"properties":' + (p.properties ? orderedMapJson(p.properties, marshalToolProperty) : "null"));
  let out = '{"name":' + goJsonString(f.name);
  if (f.description !== "") out += ',"description":' + goJsonString(f.description);
  return out + ',"parameters":{' + params.join(",") + "}}";
}

/** json.Marshal(api.Tool): what Tool.String() prints. */
export function marshalTool(t: Tool): string {
  let out = '{"type":' + goJsonString(t.type);
  if (t.items !== undefined && t.items !== null) out += ',"items":' + marshalGoAny(t.items);
  return out + ',"function":' + marshalToolFunction(t.function) + "}";
}

/** json.Marshal(api.Tools): what `{{ .Tools }}` prints in a template. */
export function marshalTools(tools: Tool[] | undefined): string {
  return tools === undefined ? "null" : "[" + tools.map(marshalTool).join(",") + "]";
}

/** ToolCallFunctionArguments.String() / MarshalJSON: arguments in their order. */
export function marshalToolArguments(args: Map<string, GoAny>): string {
  return orderedMapJson(args, marshalGoAny);
}

// Re-exported so callers can tell decoding errors apart.
export { GoTypeError };
