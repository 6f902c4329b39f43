// Builds the Go-typed values Ollama hands its templates (template.go's templateMessage, templateTool,
// templateArgs, ...), so that fields, truthiness, printing and JSON behave as they do in Ollama:
// tools, a tool's function parameters' properties and call arguments print themselves as JSON.

import { fromJsonValue, marshalGo } from "./gojson.js";
import { formatValue } from "./go/fmt.js";
import { makeStruct, withJson, withStringer } from "./go/values.js";
import type { TemplateMessage, Tool, ToolCall, ToolProperty } from "./types.js";

/** A nil slice: empty and false like [], but JSON null. */
function nilSlice<T>(): T[] {
  return withJson([] as T[], () => "null");
}

function stringList(v: string[] | undefined): string[] {
  return v && v.length > 0 ? [...v] : nilSlice();
}

/** templateArgs: a map that prints as JSON ("{}" when nil). */
function templateArgs(args: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (!args)
    return withJson(
      withStringer({}, () => "{}"),
      () => "null",
    );
  const m = fromJsonValue(args) as Record<string, unknown>;
  return withStringer(m, (self) => marshalGo(self));
}

function templateToolCall(tc: ToolCall): object {
  const fn = makeStruct(
    { Index: tc.function.index ?? 0, Name: tc.function.name, Arguments: templateArgs(tc.function.arguments) },
    { typeName: "template.templateToolCallFunction" },
  );
  return makeStruct({ ID: tc.id ?? "", Function: fn }, { typeName: "template.templateToolCall" });
}

function imageBytes(img: Uint8Array | string): Uint8Array {
  return typeof img === "string" ? Buffer.from(img, "base64") : img;
}

export function templateMessage(m: TemplateMessage): object {
  return makeStruct(
    {
      Role: m.role,
      Content: m.content,
      Thinking: m.thinking ?? "",
      Images: m.images && m.images.length > 0 ? m.images.map(imageBytes) : nilSlice(),
      ToolCalls: m.toolCalls && m.toolCalls.length > 0 ? m.toolCalls.map(templateToolCall) : nilSlice(),
      ToolName: m.toolName ?? "",
      ToolCallID: m.toolCallId ?? "",
    },
    { typeName: "*template.templateMessage", pointer: true },
  );
}

// ---- tools ----

/** api.PropertyType: a list of type names that prints as the single name, or as a list. */
function propertyType(t: string | string[] | undefined): string[] {
  const list = t === undefined ? [] : Array.isArray(t) ? [...t] : [t];
  const pt = withStringer(list, (self) =>
    self.length === 1 ? (self[0] as string) : self.length === 0 ? "" : formatValue([...self]),
  );
  return withJson(pt, (self) => (self.length === 1 ? marshalGo(self[0]) : marshalGo([...self])));
}

/** api.ToolProperty with its omitempty JSON. */
export function toolProperty(p: ToolProperty): object {
  const prop = makeStruct(
    {
      AnyOf: p.anyOf && p.anyOf.length > 0 ? p.anyOf.map(toolProperty) : nilSlice(),
      Type: propertyType(p.type),
      Items: p.items === undefined ? null : fromJsonValue(p.items),
      Description: p.description ?? "",
      Enum: p.enum && p.enum.length > 0 ? (fromJsonValue(p.enum) as unknown[]) : nilSlice(),
      Properties: p.properties ? propertiesMap(p.properties) : null,
      Required: stringList(p.required),
    },
    { typeName: "api.ToolProperty" },
  );
  return withJson(prop, (s) => {
    const parts: string[] = [];
    const add = (key: string, value: unknown, empty: boolean): void => {
      if (!empty) parts.push(`${JSON.stringify(key)}:${marshalGo(value)}`);
    };
    add("anyOf", s.AnyOf, s.AnyOf.length === 0);
    add("type", s.Type, s.Type.length === 0);
    add("items", s.Items, s.Items === null);
    add("description", s.Description, s.Description === "");
    add("enum", s.Enum, s.Enum.length === 0);
    add("properties", s.Properties, s.Properties === null);
    add("required", s.Required, s.Required.length === 0);
    return "{" + parts.join(",") + "}";
  });
}

/** *api.ToolPropertiesMap: an ordered map behind a pointer; only its JSON is observable in practice. */
function propertiesMap(props: Record<string, ToolProperty>): object {
  const entries = Object.entries(props).map(([k, v]) => [k, toolProperty(v)] as const);
  const pm = makeStruct({}, { typeName: "*api.ToolPropertiesMap", pointer: true });
  return withJson(pm, () => "{" + entries.map(([k, v]) => `${marshalGo(k)}:${marshalGo(v)}`).join(",") + "}");
}

/** templateProperties: map[string]api.ToolProperty printing as JSON (sorted keys, as Go maps marshal). */
function templateProperties(props: Record<string, ToolProperty> | undefined): Record<string, unknown> {
  if (!props)
    return withJson(
      withStringer({}, () => "{}"),
      () => "null",
    );
  const m: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) m[k] = toolProperty(v);
  return withStringer(m, (self) => marshalGo(self));
}

function templateTool(tool: Tool): object {
  const params = tool.function.parameters ?? {};
  const parameters = makeStruct(
    {
      Type: params.type ?? "",
      Defs: params.$defs === undefined ? null : fromJsonValue(params.$defs),
      Items: params.items === undefined ? null : fromJsonValue(params.items),
      Required: stringList(params.required),
      Properties: templateProperties(params.properties),
    },
    { typeName: "template.templateToolFunctionParameters" },
  );
  withJson(parameters, (s) => {
    const parts = [`"type":${marshalGo(s.Type)}`];
    if (s.Defs !== null) parts.push(`"$defs":${marshalGo(s.Defs)}`);
    if (s.Items !== null) parts.push(`"items":${marshalGo(s.Items)}`);
    if (s.Required.length > 0) parts.push(`"required":${marshalGo(s.Required)}`);
    parts.push(`"properties":${marshalGo(s.Properties)}`);
    return "{" + parts.join(",") + "}";
  });
  const fn = makeStruct(
    { Name: tool.function.name, Description: tool.function.description ?? "", Parameters: parameters },
    { typeName: "template.templateToolFunction" },
  );
  withJson(
    fn,
    (s) =>
      `{"name":${marshalGo(s.Name)},"description":${marshalGo(s.Description)},"parameters":${marshalGo(s.Parameters)}}`,
  );
  const t = makeStruct(
    { Type: tool.type, Items: tool.items === undefined ? null : fromJsonValue(tool.items), Function: fn },
    { typeName: "template.templateTool" },
  );
  withJson(t, (s) => {
    const items = s.Items !== null ? `,"items":${marshalGo(s.Items)}` : "";
    return `{"type":${marshalGo(s.Type)}${items},"function":${marshalGo(s.Function)}}`;
  });
  return withStringer(t, (self) => marshalGo(self));
}

/** templateTools: nil (undefined) prints "null"; the list prints as a JSON array. */
export function templateTools(tools: Tool[] | undefined): unknown[] {
  const list = tools ? tools.map(templateTool) : nilSlice<object>();
  return withStringer(list, (self) => marshalGo(self));
}

/** toTypeScriptType: api.ToolProperty.ToTypeScriptType, "any" for anything else. */
export function toTypeScriptType(v: unknown): string {
  if (v === null || typeof v !== "object" || !("AnyOf" in v) || !("Type" in v)) return "any";
  const p = v as { AnyOf: unknown[]; Type: string[] };
  if (p.AnyOf.length > 0) return p.AnyOf.map(toTypeScriptType).join(" | ");
  if (p.Type.length === 0) return "any";
  return p.Type.map(tsType).join(" | ");
}

function tsType(jsonType: string): string {
  switch (jsonType) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return "any[]";
    case "object":
      return "Record<string, any>";
    case "null":
      return "null";
    default:
      return "any";
  }
}
