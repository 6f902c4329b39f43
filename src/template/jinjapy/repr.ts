// Python's str() and repr() of template values. Templates trained under Python Jinja print dicts and
// lists with `|string` or str.format, and the model saw Python's spelling ({'a': True}), not JSON.

import {
  isBool,
  isDict,
  isList,
  isNamespace,
  isNone,
  isNum,
  isStr,
  isUndef,
  KeyedDict,
  type Value,
} from "./values.js";

/** repr() of a str: single quotes unless the text has ' and no ", escapes for control characters. */
export function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

/** Python's float repr: "1.0", "1e-05", "1e+16". */
export function reprFloat(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return n.toFixed(1);
  const js = String(n);
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e16) return js;
  // JS switches to exponents at other thresholds and spells them "1e-7"/"1e+21"; Python pads to 2 digits.
  const [mant = js, exp = "0"] = n.toExponential().split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

export function pyRepr(v: Value): string {
  if (isStr(v)) return reprString(v.value);
  if (isNum(v)) return v.type === "FloatValue" ? reprFloat(v.value) : String(v.value);
  if (isBool(v)) return v.value ? "True" : "False";
  if (isNone(v) || isUndef(v)) return "None";
  if (isList(v)) return `[${v.value.map(pyRepr).join(", ")}]`;
  if (isDict(v) || isNamespace(v)) {
    const keyed = v instanceof KeyedDict ? v : undefined;
    const items = [...v.value.entries()].map(([k, x]) => {
      const key = keyed ? pyRepr(keyed.keyValue(k)) : reprString(k);
      return `${key}: ${pyRepr(x)}`;
    });
    return isNamespace(v) ? `<Namespace {${items.join(", ")}}>` : `{${items.join(", ")}}`;
  }
  return `<${v.type}>`;
}

/** str(): strings as they are, undefined as Jinja prints it (nothing), the rest as repr. */
export function pyStr(v: Value): string {
  if (isStr(v)) return v.value;
  if (isUndef(v)) return "";
  return pyRepr(v);
}
