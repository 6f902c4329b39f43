// Pieces Ollama's renderers share (model/renderers/{json,image_tags}.go): JSON the way api.Tool and
// tool-call arguments marshal (Go field order, omitempty, insertion-ordered maps), and image tags.

import { fromJsonValue, marshalGo } from "../gojson.js";
import { toolProperty } from "../ollamaValues.js";
import type { TemplateMessage, Tool, ToolCall } from "../types.js";

export const imStart = "<|im_start|>";
export const imEnd = "<|im_end|>";

/** json.Marshal(api.ToolFunctionParameters): properties keep the client's order (ToolPropertiesMap). */
export function parametersJson(params: NonNullable<Tool["function"]["parameters"]> | undefined): string {
  const p = params ?? {};
  let out = `{"type":${marshalGo(p.type ?? "")}`;
  if (p.$defs !== undefined && p.$defs !== null) out += `,"$defs":${marshalGo(fromJsonValue(p.$defs))}`;
  if (p.items !== undefined && p.items !== null) out += `,"items":${marshalGo(fromJsonValue(p.items))}`;
  if (p.required && p.required.length > 0) out += `,"required":${marshalGo(p.required)}`;
  const props = p.properties
    ? "{" +
      Object.entries(p.properties)
        .map(([k, v]) => `${marshalGo(k)}:${marshalGo(toolProperty(v))}`)
        .join(",") +
      "}"
    : "null";
  return out + `,"properties":${props}}`;
}

/** json.Marshal(api.Tool). */
export function toolJson(tool: Tool): string {
  const items =
    tool.items !== undefined && tool.items !== null ? `,"items":${marshalGo(fromJsonValue(tool.items))}` : "";
  const fn = tool.function;
  const desc = fn.description ? `,"description":${marshalGo(fn.description)}` : "";
  const func = `{"name":${marshalGo(fn.name)}${desc},"parameters":${parametersJson(fn.parameters)}}`;
  return `{"type":${marshalGo(tool.type)}${items},"function":${func}}`;
}

/** json.Marshal(api.ToolCallFunctionArguments): top-level keys in insertion order, nested maps sorted. */
export function argumentsJson(args: ToolCall["function"]["arguments"]): string {
  if (!args) return "{}";
  const parts = Object.entries(args).map(([k, v]) => `${marshalGo(k)}:${marshalGo(fromJsonValue(v))}`);
  return "{" + parts.join(",") + "}";
}

/**
 * Copies compact JSON, passing each character outside strings (opening quotes included) through
 * `outside`; string contents and closing quotes are copied as they are.
 */
function mapOutsideStrings(json: string, outside: (c: string) => string): string {
  let out = "";
  let inStr = false;
  let esc = false;
  for (const c of json) {
    if (inStr) {
      out += c;
      if (esc) esc = false;
      else if (c === "\\") esc = true;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    out += outside(c);
  }
  return out;
}

/** marshalWithSpaces: a space after every ':' and ',' outside strings, as Qwen's templates print JSON. */
export function addJsonSpaces(json: string): string {
  return mapOutsideStrings(json, (c) => (c === ":" || c === "," ? c + " " : c));
}

/** Go's json.Indent over compact JSON (MarshalIndent): empty {} and [] stay on one line. */
export function indentJson(json: string, indent: string): string {
  let depth = 0;
  let needIndent = false; // just opened a container: newline goes before its first element
  const newline = (): string => "\n" + indent.repeat(depth);
  return mapOutsideStrings(json, (c) => {
    let out = "";
    if (needIndent && c !== "]" && c !== "}") {
      needIndent = false;
      depth++;
      out += newline();
    }
    if (c === "{" || c === "[") {
      needIndent = true;
      return out + c;
    }
    if (c === "}" || c === "]") {
      if (needIndent)
        needIndent = false; // empty container
      else {
        depth--;
        out += newline();
      }
      return out + c;
    }
    if (c === ",") return out + c + newline();
    if (c === ":") return out + ": ";
    return out + c;
  });
}

/**
 * renderContentWithImageTags: `[img]` placeholders become `[img-N]` in order, remaining images are
 * prefixed (a space before text that doesn't start with one). Content already tagged is left alone.
 * Returns the text and the next image index.
 */
export function tagContent(m: TemplateMessage, offset: number): [string, number] {
  const count = m.images?.length ?? 0;
  let content = m.content;
  if (count === 0) return [content, offset];
  if (content.includes("[img-")) return [content, offset + count];
  let prefix = "";
  for (let i = 0; i < count; i++) {
    const tag = `[img-${offset + i}]`;
    if (content.includes("[img]")) content = content.replace("[img]", tag);
    else prefix += tag;
  }
  if (prefix !== "" && content !== "" && !/^\s/u.test(content)) prefix += " ";
  return [prefix + content, offset + count];
}

/** ThinkValue.Bool(): true, or one of the level names. */
export function thinkOn(think: boolean | string | undefined): boolean {
  if (typeof think === "string") return ["high", "medium", "low", "max"].includes(think);
  return think === true;
}
