// Go text/template's built-in functions over the value model in values.ts. A function signals Go's
// `(T, error)` failure by throwing; the evaluator turns that into "error calling NAME: ...".
// `and` and `or` are listed for parse-time name checks, but the evaluator runs them itself (they short-circuit).

import { formatValue, sprint, sprintf, sprintln } from "./fmt.js";
import {
  GoFloat,
  isFloat,
  isInt,
  isMap,
  isSlice,
  numberValue,
  structInfo,
  truth,
  typeName,
} from "./values.js";

export interface FuncSpec {
  fn: (...args: unknown[]) => unknown;
  /** Fixed parameters; with `variadic`, the minimum count. */
  params: number;
  variadic?: boolean;
  /** Leading parameters (or all, when true) that must be strings, checked as Go's typed parameters are. */
  stringParams?: number | true;
  /** Builtins receive Go's invalid value (undefined) as is; others get nil (null) for it, as `any` would. */
  rawArgs?: boolean;
}

/** A user function: a spec, or a plain JS function (variadic, no checks). */
export type FuncDef = FuncSpec | ((...args: unknown[]) => unknown);
export type FuncMap = Record<string, FuncDef>;

export function toSpec(def: FuncDef): FuncSpec {
  return typeof def === "function" ? { fn: def, params: 0, variadic: true } : def;
}

// ---- comparison ----

type Kind = "bool" | "int" | "float" | "string" | "invalid" | "other";

function basicKind(v: unknown): Kind {
  if (typeof v === "boolean") return "bool";
  if (isInt(v)) return "int";
  if (isFloat(v)) return "float";
  if (typeof v === "string") return "string";
  if (v === undefined || v === null) return "invalid";
  return "other";
}

const errBadComparisonType = "invalid type for comparison";
const errBadComparison = "incompatible types for comparison";

function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    if (k1 !== k2) {
      if (k1 !== "invalid" && k2 !== "invalid") throw new Error(errBadComparison);
      continue;
    }
    if (k1 === "other" || k1 === "invalid") {
      if (equalOther(arg1, arg)) return true;
      continue;
    }
    if (primitive(arg1) === primitive(arg)) return true;
  }
  return false;
}

function primitive(v: unknown): unknown {
  return v instanceof GoFloat ? v.value : v;
}

function equalOther(a: unknown, b: unknown): boolean {
  const aNil = a === undefined || a === null;
  const bNil = b === undefined || b === null;
  if (aNil || bNil) return aNil === bNil;
  if (isSlice(a) || isMap(a) || typeof a === "function") {
    throw new Error(`non-comparable type ${formatValue(a)}: ${typeName(a)}`);
  }
  if (structInfo(a)?.pointer) return a === b;
  throw new Error(
    `non-comparable types ${formatValue(a)}: ${typeName(a)}, ${typeName(b)}: ${formatValue(b)}`,
  );
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "bool" || k1 === "other" || k1 === "invalid") throw new Error(errBadComparisonType);
  if (k2 === "bool" || k2 === "other" || k2 === "invalid") throw new Error(errBadComparisonType);
  if (k1 !== k2) throw new Error(errBadComparison);
  if (k1 === "string") return (a as string) < (b as string);
  return numberValue(a) < numberValue(b);
}

// ---- len, index, slice ----

function length(item: unknown): number {
  if (item === null) throw new Error("len of nil pointer");
  if (item === undefined) throw new Error("len of untyped nil");
  if (typeof item === "string") return Buffer.byteLength(item, "utf8");
  if (isSlice(item)) return item.length;
  if (isMap(item)) return Object.keys(item).length;
  throw new Error(`len of type ${typeName(item)}`);
}

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new Error("cannot index slice/array with nil");
  if (!isInt(index)) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  if (index < 0 || index > cap) throw new Error(`index out of range: ${index}`);
  return index;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) throw new Error("index of untyped nil");
  let cur: unknown = item;
  for (const idx of indexes) {
    if (cur === null || cur === undefined) throw new Error("index of nil pointer");
    if (typeof cur === "string") {
      const bytes = Buffer.from(cur, "utf8");
      const x = indexArg(idx, bytes.length);
      if (x >= bytes.length) throw new Error(`index out of range: ${x}`);
      cur = bytes[x];
    } else if (isSlice(cur)) {
      const x = indexArg(idx, cur.length);
      if (x >= cur.length) throw new Error(`index out of range: ${x}`);
      cur = cur[x];
    } else if (isMap(cur)) {
      if (typeof idx !== "string") throw new Error(`value has type ${typeName(idx)}; should be string`);
      cur = Object.hasOwn(cur, idx) ? cur[idx] : null;
    } else {
      throw new Error(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Buffer | undefined;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
    bytes = Buffer.from(item, "utf8");
    len = bytes.length;
  } else if (isSlice(item)) {
    len = item.length;
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((x, i) => (idx[i] = indexArg(x, len)));
  const [i = 0, j = len, k = len] = idx;
  if (i > j) throw new Error(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new Error(`invalid slice index: ${j} > ${k}`);
  if (bytes) return bytes.subarray(i, j).toString("utf8");
  return (item as unknown[]).slice(i, j);
}

// ---- escaping ----

/** html/js/urlquery stringify their arguments like this (fmt.Sprint unless a single string). */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === undefined ? "<no value>" : a)));
}

export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => htmlEscapes[c] ?? c);
}

const htmlEscapes: Record<string, string> = {
  "<": "&lt;",
  ">": "&gt;",
  "&": "&amp;",
  "'": "&#39;",
  '"': "&#34;",
  "\0": "\uFFFD",
};

export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && !/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch))) {
      out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
    } else {
      out += ch;
    }
  }
  return out;
}

/** url.QueryEscape: spaces become +, everything but unreserved characters is %XX-escaped. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new Error("call of nil");
  if (typeof fn !== "function") throw new Error(`non-function of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args.map((a) => (a === undefined ? null : a)));
}

function printArgs(args: unknown[]): unknown[] {
  return args.map((a) => (a === undefined ? null : a));
}

export const builtins: Record<string, FuncSpec> = {
  and: { fn: () => undefined, params: 1, variadic: true, rawArgs: true },
  or: { fn: () => undefined, params: 1, variadic: true, rawArgs: true },
  not: { fn: (a) => !truth(a), params: 1, rawArgs: true },
  len: { fn: length, params: 1, rawArgs: true },
  index: { fn: index, params: 1, variadic: true, rawArgs: true },
  slice: { fn: slice, params: 1, variadic: true, rawArgs: true },
  eq: { fn: eq, params: 1, variadic: true, rawArgs: true },
  ne: { fn: (a, b) => !eq(a, b), params: 2, rawArgs: true },
  lt: { fn: lt, params: 2, rawArgs: true },
  le: { fn: (a, b) => lt(a, b) || eq(a, b), params: 2, rawArgs: true },
  gt: { fn: (a, b) => !lt(a, b) && !eq(a, b), params: 2, rawArgs: true },
  ge: { fn: (a, b) => !lt(a, b), params: 2, rawArgs: true },
  print: { fn: (...a) => sprint(printArgs(a)), params: 0, variadic: true },
  println: { fn: (...a) => sprintln(printArgs(a)), params: 0, variadic: true },
  printf: { fn: (f, ...a) => sprintf(f as string, printArgs(a)), params: 1, variadic: true, stringParams: 1 },
  html: { fn: (...a) => htmlEscape(evalArgs(a)), params: 0, variadic: true, rawArgs: true },
  js: { fn: (...a) => jsEscape(evalArgs(a)), params: 0, variadic: true, rawArgs: true },
  urlquery: { fn: (...a) => queryEscape(evalArgs(a)), params: 0, variadic: true, rawArgs: true },
  call: { fn: call, params: 1, variadic: true, rawArgs: true },
};
