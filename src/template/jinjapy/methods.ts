// Python methods @huggingface/jinja lacks or gets wrong, looked up before its own builtins:
// str.format, strip('\n') stripping only the given characters (the library trims all whitespace,
// which eats indentation that Qwen3/GLM-style templates keep), join, find, list append/pop (Kimi's
// tool-id queue), and dict methods on dicts with non-string keys.

import { pyFormat } from "./format.js";
import { pyStr } from "./repr.js";
import {
  bool,
  fn,
  int,
  isDict,
  isInt,
  isList,
  isStr,
  keyString,
  KeyedDict,
  list,
  none,
  splitArgs,
  str,
  type Value,
} from "./values.js";

type Method = (self: Value, args: Value[], kwargs: Map<string, Value>) => Value;

function stripChars(s: string, chars: Value | undefined, left: boolean, right: boolean): string {
  if (chars === undefined || !isStr(chars)) {
    // Python's default strips whitespace: the same set as JS trim for the text templates see.
    if (left) s = s.trimStart();
    if (right) s = s.trimEnd();
    return s;
  }
  const set = new Set(chars.value);
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (left && a < b && set.has(cps[a] ?? "")) a++;
  while (right && b > a && set.has(cps[b - 1] ?? "")) b--;
  return cps.slice(a, b).join("");
}

const text = (v: Value): string => (isStr(v) ? v.value : "");
const argStr = (args: Value[], i: number): string => {
  const a = args[i];
  if (a === undefined || !isStr(a)) throw new Error("expected a string argument");
  return a.value;
};

const stringMethods: Record<string, Method> = {
  format: (self, args, kwargs) => str(pyFormat(text(self), args, kwargs)),
  strip: (self, args) => str(stripChars(text(self), args[0], true, true)),
  lstrip: (self, args) => str(stripChars(text(self), args[0], true, false)),
  rstrip: (self, args) => str(stripChars(text(self), args[0], false, true)),
  join: (self, args) => {
    const items = args[0];
    const parts =
      items && isList(items) ? items.value : items && isStr(items) ? [...items.value].map(str) : [];
    return str(parts.map(pyStr).join(text(self)));
  },
  find: (self, args) => int(text(self).indexOf(argStr(args, 0))),
  rfind: (self, args) => int(text(self).lastIndexOf(argStr(args, 0))),
  count: (self, args) => {
    const sub = argStr(args, 0);
    return int(sub === "" ? [...text(self)].length + 1 : text(self).split(sub).length - 1);
  },
  removeprefix: (self, args) => {
    const s = text(self);
    const p = argStr(args, 0);
    return str(s.startsWith(p) ? s.slice(p.length) : s);
  },
  removesuffix: (self, args) => {
    const s = text(self);
    const p = argStr(args, 0);
    return str(p !== "" && s.endsWith(p) ? s.slice(0, -p.length) : s);
  },
  splitlines: (self) => {
    const lines = text(self).split(/\r\n|\r|\n/);
    // Python yields no empty last line for a trailing newline (and nothing at all for "").
    if (lines.at(-1) === "") lines.pop();
    return list(lines.map(str));
  },
  isdigit: (self) => bool(/^\d+$/u.test(text(self))),
  isalpha: (self) => bool(/^\p{L}+$/u.test(text(self))),
  isspace: (self) => bool(/^\s+$/u.test(text(self))),
};

const items = (self: Value): Value[] => (isList(self) ? self.value : []);

const listMethods: Record<string, Method> = {
  append: (self, args) => {
    items(self).push(args[0] ?? none());
    return none();
  },
  pop: (self, args) => {
    const a = items(self);
    if (a.length === 0) throw new Error("pop from empty list");
    const i = args[0] && isInt(args[0]) ? args[0].value : -1;
    const [removed] = a.splice(i < 0 ? a.length + i : i, 1);
    return removed ?? none();
  },
  index: (self, args) => {
    const want = args[0];
    const i = items(self).findIndex(
      (x) => want !== undefined && x.type === want.type && x.value === want.value,
    );
    if (i < 0) throw new Error("value is not in list");
    return int(i);
  },
};

/** Dict methods the library can't do for non-string keys: get(512), and dictsort keeping int keys. */
const keyedDictMethods: Record<string, Method> = {
  get: (self, args) => {
    const key = args[0];
    const found = key && isDict(self) ? self.value.get(keyString(key)) : undefined;
    return found ?? args[1] ?? none();
  },
};

/** The bound method `name` of `self`, if we provide one. */
export function extraMethod(self: Value, name: string): Value | undefined {
  let table: Record<string, Method> | undefined;
  if (isStr(self)) table = stringMethods;
  else if (isList(self)) table = listMethods;
  else if (self instanceof KeyedDict && !self.value.has(name)) table = keyedDictMethods;
  const m = table && Object.hasOwn(table, name) ? table[name] : undefined;
  if (!m) return undefined;
  return fn((raw) => {
    const [args, kwargs] = splitArgs(raw);
    return m(self, args, kwargs);
  });
}
