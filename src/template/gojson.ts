// Go's encoding/json Marshal over the engine's value model (go/values.ts), because templates print
// tools and arguments as the JSON Go writes: map keys sorted bytewise, struct fields in order,
// `<`, `>`, `&`, U+2028 and U+2029 escaped, []byte as base64.

import { GoFloat, goJson, isMap, sortedKeys, structInfo, type GoObject } from "./go/values.js";

/** json.Marshal; throws on values Go can't encode (NaN, Inf, functions). */
export function marshalGo(v: unknown): string {
  if (v === undefined || v === null) return "null";
  const custom = typeof v === "object" ? (v as GoObject)[goJson] : undefined;
  if (typeof custom === "function") return (custom as () => string)();
  if (typeof v === "string") return quoteJson(v);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number" || v instanceof GoFloat) return jsonNumber(typeof v === "number" ? v : v.value);
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return quoteJson(Buffer.from(v).toString("base64"));
  if (Array.isArray(v)) return "[" + v.map(marshalGo).join(",") + "]";
  if (structInfo(v)) return marshalFields(v as Record<string, unknown>, Object.keys(v));
  if (isMap(v)) return marshalFields(v, sortedKeys(v));
  throw new Error(`json: unsupported type: ${typeof v}`);
}

function marshalFields(obj: Record<string, unknown>, keys: string[]): string {
  return "{" + keys.map((k) => quoteJson(k) + ":" + marshalGo(obj[k])).join(",") + "}";
}

function jsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${n}`);
  // Go writes -0 as "-0"; JS's String() drops the sign.
  if (Object.is(n, -0)) return "-0";
  return String(n);
}

/** A JSON string literal with Go's HTML-safe escaping. */
export function quoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + s[i + 1];
        i++;
      } else out += "\ufffd";
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\ufffd";
      continue;
    }
    out += escapeChar(ch, c);
  }
  return out + '"';
}

function escapeChar(ch: string, c: number): string {
  switch (ch) {
    case '"':
      return '\\"';
    case "\\":
      return "\\\\";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    case "\b":
      return "\\b";
    case "\f":
      return "\\f";
  }
  if (c < 0x20 || ch === "<" || ch === ">" || ch === "&" || c === 0x2028 || c === 0x2029) {
    return "\\u" + c.toString(16).padStart(4, "0");
  }
  return ch;
}

/** Types a decoded JSON value as Go's json.Unmarshal into `any` would: numbers float64, objects maps. */
export function fromJsonValue(v: unknown): unknown {
  if (typeof v === "number") return new GoFloat(v);
  if (Array.isArray(v)) return v.map(fromJsonValue);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromJsonValue(x);
    return out;
  }
  return v;
}
