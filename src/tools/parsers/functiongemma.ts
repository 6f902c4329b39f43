// Ollama's "functiongemma" format (FunctionGemma): calls written
// <start_function_call>call:name{key:value,...}<end_function_call>. Values are bare words:
// numbers, true/false, [lists], {objects}, and strings between <escape> marks (or left bare).

import type { BlockFormat } from "./blocks.js";

const ESCAPE = "<escape>";

export const functionGemmaFormat: BlockFormat = {
  open: "<start_function_call>",
  close: "<end_function_call>",
  /** One `call:name{...}`; anything else does not read. */
  read(body) {
    const m = /call:([^{]+)\{(.*)\}/su.exec(body);
    if (!m) return undefined;
    const [, name = "", args = ""] = m;
    return [{ name, arguments: fields(args) }];
  },
};

/** `key:value,...` as an object; parts without a colon are skipped. */
function fields(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of split(text)) {
    const colon = part.indexOf(":");
    if (colon >= 0) out[part.slice(0, colon)] = value(part.slice(colon + 1));
  }
  return out;
}

/** Splits at top-level commas: not inside brackets or between <escape> marks. */
function split(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let depth = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith(ESCAPE, i)) {
      escaped = !escaped;
      current += ESCAPE;
      i += ESCAPE.length - 1;
      continue;
    }
    const c = text[i] as string;
    if (!escaped && (c === "{" || c === "[")) depth++;
    else if (!escaped && (c === "}" || c === "]")) depth--;
    else if (!escaped && c === "," && depth === 0) {
      if (current !== "") parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  if (current !== "") parts.push(current);
  return parts;
}

/** A number's leading form, as Go's fmt.Sscanf("%f") reads one (trailing text is ignored). */
const leadingFloat = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/u;

function value(text: string): unknown {
  if (text.length >= 2 * ESCAPE.length && text.startsWith(ESCAPE) && text.endsWith(ESCAPE))
    return text.slice(ESCAPE.length, -ESCAPE.length);
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+$/u.test(text) && String(Number(text)) === text) return Number(text);
  const num = leadingFloat.exec(text);
  if (num) return Number(num[0]);
  if (text.startsWith("[") && text.endsWith("]")) return split(text.slice(1, -1)).map(value);
  if (text.startsWith("{") && text.endsWith("}")) return fields(text.slice(1, -1));
  return text;
}
