// The bodies of tagged tool calls: Qwen3's JSON `{"name": ..., "arguments": {...}}` and Qwen3-Coder's
// XML-ish form
//   <function=get_weather>
//   <parameter=city>
//   Paris
//   </parameter>
//   </function>
// whose values are bare text typed by the tool's schema.

import type { ToolLike } from "../types.js";
import { parameterTypes, typedValue } from "./typed.js";
import { parseJsonObject } from "../jsonscan.js";

export interface CallBody {
  name: string;
  arguments: Record<string, unknown>;
}

/** One call's body, or a list of them where a format writes several in one block (LFM2). */
export type CallBodyParser = (raw: string, tools: readonly ToolLike[]) => CallBody | CallBody[] | undefined;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `{"name": "f", "arguments": {...}}`; arguments may be absent, null, or a JSON string of an object. */
export const parseJsonCall: CallBodyParser = (raw) => {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || typeof v.name !== "string" || v.name === "") return undefined;
  let args: unknown = v.arguments ?? v.parameters ?? {};
  if (typeof args === "string") {
    try {
      args = JSON.parse(args) as unknown;
    } catch {
      return undefined;
    }
  }
  return isRecord(args) ? { name: v.name, arguments: args } : undefined;
};

const functionTag = /<function=([^>]+)>/u;
const paramTag = /<parameter=([^>]+)>/gu;

/**
 * One `<function=NAME>...</function>` block. A value runs to its `</parameter>`; models that forget
 * the closer end it at the next parameter or at `</function>`.
 */
/** DeepSeek V3.1: `name<｜tool▁sep｜>{"city": "Paris"}`. */
export const parseDeepSeekCall: CallBodyParser = (raw) => {
  const sep = raw.indexOf(toolSep);
  if (sep < 0) return undefined;
  const args = parseJsonObject(raw.slice(sep + toolSep.length).trim());
  const name = raw.slice(0, sep).trim();
  return args && name ? { name, arguments: args } : undefined;
};

/** Cogito (DeepSeek R1's form): `function<｜tool▁sep｜>name\n```json\n{...}\n````. */
export const parseCogitoCall: CallBodyParser = (raw) => {
  const sep = raw.indexOf(toolSep);
  if (sep < 0) return undefined;
  const m = /^([^\n]+)\n```json\n([\s\S]*?)\n```/u.exec(raw.slice(sep + toolSep.length));
  const args = m ? parseJsonObject(m[2] ?? "") : undefined;
  const name = m?.[1]?.trim();
  return args && name ? { name, arguments: args } : undefined;
};

const toolSep = "<｜tool▁sep｜>";

export const parseXmlCall: CallBodyParser = (raw, tools) => {
  const fn = functionTag.exec(raw);
  if (!fn) return undefined;
  const name = (fn[1] ?? "").trim();
  const body = raw.slice(fn.index + fn[0].length);
  const args: Record<string, unknown> = {};
  const starts = [...body.matchAll(paramTag)];
  starts.forEach((m, i) => {
    const from = m.index + m[0].length;
    const next = starts[i + 1]?.index ?? body.length;
    let value = body.slice(from, next);
    for (const stop of ["</parameter>", "</function>"]) {
      const at = value.indexOf(stop);
      if (at >= 0) value = value.slice(0, at);
    }
    // One newline after the opening tag and one before the closing tag belong to the format.
    value = value.replace(/^\n/u, "").replace(/\n$/u, "");
    const key = (m[1] ?? "").trim();
    args[key] = typedValue(value, parameterTypes(tools, name, key));
  });
  return { name, arguments: args };
};
