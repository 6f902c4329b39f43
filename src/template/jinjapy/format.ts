// Python's str.format, which @huggingface/jinja lacks (Hy3 builds every special token with
// '<think{}>'.format(HYTK)). Fields: {} {0} {name} with .attr / [key] lookups, !s / !r, and the
// format-spec mini-language for strings and numbers.

import { pyRepr, pyStr, reprFloat } from "./repr.js";
import { isBool, isDict, isInt, isList, isNamespace, isNum, type Value } from "./values.js";

export function pyFormat(template: string, args: Value[], kwargs: Map<string, Value>): string {
  let out = "";
  let auto = 0;
  let i = 0;
  while (i < template.length) {
    const ch = template[i] ?? "";
    if ((ch === "{" || ch === "}") && template[i + 1] === ch) {
      out += ch;
      i += 2;
      continue;
    }
    if (ch === "}") throw new Error("Single '}' encountered in format string");
    if (ch !== "{") {
      out += ch;
      i++;
      continue;
    }
    const end = template.indexOf("}", i);
    if (end < 0) throw new Error("Single '{' encountered in format string");
    const field = template.slice(i + 1, end);
    i = end + 1;
    const m = /^([^.[!:]*)((?:\.[^.[!:]+|\[[^\]]*\])*)(?:!([rsa]))?(?::(.*))?$/s.exec(field);
    if (!m) throw new Error(`bad format field {${field}}`);
    const [, name = "", path = "", conv, spec = ""] = m;
    let v: Value | undefined;
    if (name === "") v = args[auto++];
    else if (/^\d+$/.test(name)) v = args[Number(name)];
    else v = kwargs.get(name);
    if (v === undefined) throw new Error(`format: no argument for {${field}}`);
    v = lookup(v, path);
    if (conv === "r" || conv === "a") out += formatSpec(pyRepr(v), spec);
    else if (conv === "s") out += formatSpec(pyStr(v), spec);
    else out += formatValue(v, spec);
  }
  return out;
}

function lookup(v: Value, path: string): Value {
  for (const [, attr, key] of path.matchAll(/\.([^.[]+)|\[([^\]]*)\]/g)) {
    const k = attr ?? key ?? "";
    let next: Value | undefined;
    // Dicts store integer keys under their decimal spelling, so "[1]" and "[a]" both look up k itself.
    if (isDict(v) || isNamespace(v)) next = v.value.get(k);
    else if (isList(v) && /^\d+$/.test(k)) next = v.value[Number(k)];
    if (next === undefined) throw new Error(`format: cannot look up ${k}`);
    v = next;
  }
  return v;
}

function formatValue(v: Value, spec: string): string {
  if (spec === "") return pyStr(v);
  if (isNum(v) || isBool(v)) return formatNumber(Number(v.value), isInt(v) || isBool(v), spec);
  return formatSpec(pyStr(v), spec);
}

const SPEC = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

/** A string under a format spec: only fill, align, width and precision (truncation) apply. */
function formatSpec(s: string, spec: string): string {
  if (spec === "") return s;
  const m = SPEC.exec(spec);
  if (!m) throw new Error(`Invalid format specifier '${spec}'`);
  const [, fill = " ", align = "<", , , , width, , precision] = m;
  const text = precision === undefined ? s : [...s].slice(0, Number(precision)).join("");
  return pad(text, Number(width ?? 0), fill, align);
}

function formatNumber(n: number, integral: boolean, spec: string): string {
  const m = SPEC.exec(spec);
  if (!m) throw new Error(`Invalid format specifier '${spec}'`);
  const [, fillOpt, alignOpt, sign = "-", , zero, width, group, precision, typeOpt] = m;
  const type = typeOpt ?? (integral ? "d" : "g");
  const p = precision === undefined ? undefined : Number(precision);
  const abs = Math.abs(n);
  let body: string;
  switch (type) {
    case "d":
    case "n":
      body = Math.trunc(abs).toString();
      break;
    case "x":
    case "X":
    case "o":
    case "b":
      body = Math.trunc(abs).toString({ x: 16, X: 16, o: 8, b: 2 }[type]);
      if (type === "X") body = body.toUpperCase();
      break;
    case "c":
      body = String.fromCodePoint(abs);
      break;
    case "f":
    case "F":
      body = abs.toFixed(p ?? 6);
      break;
    case "%":
      body = (abs * 100).toFixed(p ?? 6) + "%";
      break;
    case "e":
    case "E":
      body = abs.toExponential(p ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      if (type === "E") body = body.toUpperCase();
      break;
    default:
      // "g"/"G" and no type: Python's shortest repr-like spelling.
      body =
        p === undefined ? (integral ? String(abs) : reprFloat(abs)) : String(Number(abs.toPrecision(p || 1)));
  }
  if (group) body = body.replace(/^(\d+)/, (d) => d.replace(/\B(?=(\d{3})+$)/g, group));
  const signStr = n < 0 || Object.is(n, -0) ? "-" : sign === "-" ? "" : sign;
  const fill = fillOpt ?? (zero ? "0" : " ");
  const align = alignOpt ?? (zero ? "=" : ">");
  const w = Number(width ?? 0);
  if (align === "=") return signStr + pad(body, w - signStr.length, fill, ">");
  return pad(signStr + body, w, fill, align);
}

function pad(s: string, width: number, fill: string, align: string): string {
  const n = width - [...s].length;
  if (n <= 0) return s;
  if (align === ">") return fill.repeat(n) + s;
  if (align === "^") return fill.repeat(Math.floor(n / 2)) + s + fill.repeat(Math.ceil(n / 2));
  return s + fill.repeat(n);
}
