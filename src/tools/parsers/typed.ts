// Tool-call formats that write argument values as bare text (Qwen3-Coder's <parameter=x>, GLM's
// <arg_value>) leave typing to the parser: the tool's JSON schema says what the text should become.

import { parseJson } from "../jsonscan.js";
import type { ToolLike } from "../types.js";

type Props = ReadonlyMap<string, unknown> | Record<string, unknown>;

function prop(props: Props | null | undefined, name: string): unknown {
  if (!props) return undefined;
  return props instanceof Map
    ? props.get(name)
    : Object.hasOwn(props, name)
      ? (props as Record<string, unknown>)[name]
      : undefined;
}

function typesOf(p: unknown): string[] {
  if (typeof p !== "object" || p === null) return [];
  const { type, anyOf } = p as { type?: unknown; anyOf?: unknown };
  // A union (anyOf) offers every member's types.
  if (Array.isArray(anyOf) && anyOf.length > 0) return anyOf.flatMap(typesOf);
  if (typeof type === "string") return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === "string") : [];
}

/** The JSON-schema types a tool declares for one parameter; [] when unknown. */
export function parameterTypes(tools: readonly ToolLike[], fn: string, param: string): string[] {
  const tool = tools.find((t) => t.function.name === fn);
  return typesOf(prop(tool?.function.parameters?.properties, param));
}

const integer = /^[-+]?\d+$/u;
const number = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/u;

/**
 * A value's text as the declared type, trying the most specific first (boolean, integer, number,
 * array, object, then string), as Ollama's parseTypedToolValue does. "null" is null whatever the type.
 */
export function typedValue(raw: string, types: readonly string[]): unknown {
  if (raw.toLowerCase() === "null") return null;
  if (types.length === 0) return raw;
  const only = types.length === 1;
  const has = new Set(types);
  if (has.has("boolean")) {
    const lower = raw.toLowerCase();
    if (lower === "true" || lower === "false") return lower === "true";
    // the reference implementation makes anything else false when boolean is the only type
    if (only) return false;
  }
  if (has.has("integer")) {
    if (integer.test(raw)) return Number(raw);
    if (only) return raw;
  }
  if (has.has("number")) {
    if (number.test(raw)) return Number(raw);
    if (only) return raw;
  }
  if (has.has("array")) {
    const v = parseJson(raw);
    if (Array.isArray(v)) return v;
    if (only) return raw;
  }
  if (has.has("object")) {
    const v = parseJson(raw);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v;
  }
  return raw;
}
