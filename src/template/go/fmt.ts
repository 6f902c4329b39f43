// Go's fmt package, as far as templates reach it: %v printing of every value kind, Sprint/Sprintln
// spacing rules, and Sprintf with flags, width, precision and the common verbs.

import {
  GoFloat,
  isFloat,
  isInt,
  isMap,
  numberValue,
  sortedKeys,
  stringerOf,
  structInfo,
  typeName,
} from "./values.js";

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const noFlags: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };

/** The text fmt.Sprint(v) gives for one value (%v). */
export function formatValue(v: unknown): string {
  return formatVerb(v, "v", noFlags, 0);
}

/** fmt.Sprint: spaces go between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(a);
  });
  return out;
}

/** fmt.Sprintln: always spaces between operands, and a newline at the end. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(" ") + "\n";
}

/** strconv's 'g' format: with no precision Go uses the shortest digits and switches to %e at exponent >= 6 (so 1e+06), unlike JSON. */
export function formatFloatG(x: number, prec?: number, upper = false): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const shortest = prec === undefined;
  const p = shortest ? undefined : Math.max(prec, 1);
  const [digits, exp] = decimalDigits(x, p);
  let eprec = p ?? digits.length;
  if (!shortest && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (shortest) eprec = 6;
  const neg = x < 0 ? "-" : "";
  let s: string;
  if (exp < -4 || exp >= eprec) {
    s = neg + mantissa(digits) + (upper ? "E" : "e") + expText(exp);
  } else {
    s = neg + fixedFromDigits(digits, exp);
  }
  return s;
}

function nonFinite(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  return x > 0 ? "+Inf" : "-Inf";
}

/** Significant digits (trailing zeros trimmed) and the decimal exponent of |x|. */
function decimalDigits(x: number, prec?: number): [string, number] {
  if (prec === undefined) {
    // JS's shortest round-trip digits are the same as Go's shortest formatting.
    const [m = "0", e = "0"] = Math.abs(x).toExponential().split("e");
    return [m.replace(".", "").replace(/0+$/, "") || "0", Number(e)];
  }
  const [digits, exp] = roundSignificant(Math.abs(x), prec);
  return [digits.replace(/0+$/, "") || "0", exp];
}

// JS's toFixed/toExponential round exact ties away from zero; Go rounds them to even (2.25 → "2.2").
// These work on the exact decimal expansion of the double to round as Go does.

/** |x| as an exact decimal: an integer digit string and how many of its digits are fractional. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  let e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (e === 0) e = 1;
  else m |= 1n << 52n;
  e -= 1075;
  if (e >= 0) return { digits: m << BigInt(e), scale: 0 };
  return { digits: m * 5n ** BigInt(-e), scale: -e };
}

/** Drops `cut` trailing digits, rounding half to even. */
function roundDigits(d: bigint, cut: number): bigint {
  if (cut <= 0) return d * 10n ** BigInt(-cut);
  const div = 10n ** BigInt(cut);
  let q = d / div;
  const r = d % div;
  const half = div / 2n;
  if (r > half || (r === half && q % 2n === 1n)) q++;
  return q;
}

/** n significant digits of |x| (exactly n, zero-padded) and the decimal exponent of the first. */
function roundSignificant(x: number, n: number): [string, number] {
  if (x === 0) return ["0".repeat(n), 0];
  const { digits, scale } = exactDecimal(x);
  const len = digits.toString().length;
  let exp = len - 1 - scale;
  let q = roundDigits(digits, len - n).toString();
  if (q.length > n) {
    q = q.slice(0, n);
    exp++;
  }
  return [q, exp];
}

function mantissa(digits: string): string {
  return digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
}

function expText(exp: number): string {
  const sign = exp < 0 ? "-" : "+";
  const abs = Math.abs(exp);
  return sign + (abs < 10 ? "0" : "") + abs;
}

function fixedFromDigits(digits: string, exp: number): string {
  if (exp < 0) return "0." + "0".repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
}

function formatFloatE(x: number, prec: number, upper: boolean): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const [digits, exp] = roundSignificant(Math.abs(x), prec + 1);
  const m = prec > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return (x < 0 ? "-" : "") + m + (upper ? "E" : "e") + expText(x === 0 ? 0 : exp);
}

function formatFloatF(x: number, prec: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { digits, scale } = exactDecimal(x);
  const text = roundDigits(digits, scale - prec)
    .toString()
    .padStart(prec + 1, "0");
  const whole = text.slice(0, text.length - prec);
  return (x < 0 ? "-" : "") + (prec > 0 ? `${whole}.${text.slice(text.length - prec)}` : whole);
}

/** strconv.Quote: a double-quoted Go string literal. */
export function quoteGo(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += quoteRune(ch, cp, '"', asciiOnly);
  }
  return out + '"';
}

const simpleEscapes: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
};

function quoteRune(ch: string, cp: number, quote: string, asciiOnly: boolean): string {
  if (ch === quote) return "\\" + ch;
  const simple = simpleEscapes[ch];
  if (simple) return simple;
  if (cp >= 0xd800 && cp <= 0xdfff) return "\\ufffd";
  if (cp < 0x20 || cp === 0x7f) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp < 0x80) return ch;
  if (asciiOnly || !isPrintable(cp)) {
    return cp > 0xffff ? "\\U" + cp.toString(16).padStart(8, "0") : "\\u" + cp.toString(16).padStart(4, "0");
  }
  return ch;
}

function isPrintable(cp: number): boolean {
  // Unicode's graphic classes, roughly as Go's unicode.IsPrint (which also rejects non-ASCII spaces).
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}

function quoteChar(cp: number, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(cp);
  return "'" + quoteRune(ch, cp, "'", asciiOnly) + "'";
}

// ---- %v and friends over every value kind ----

function formatVerb(v: unknown, verb: string, spec: Spec, depth: number): string {
  if (verb === "T") return pad(typeName(v), spec);
  if (verb === "p") return pad(pointerText(v), spec);
  if (v === undefined || v === null) {
    return verb === "v" ? pad("<nil>", spec) : `%!${verb}(<nil>)`;
  }
  const stringer = stringerOf(v);
  if (stringer && "vsqxX".includes(verb)) return formatString(stringer(), verb, spec);
  if (typeof v === "string") return formatString(v, verb, spec);
  if (typeof v === "boolean") return verb === "v" || verb === "t" ? pad(String(v), spec) : badVerb(verb, v);
  if (isInt(v)) return formatInt(v, verb, spec);
  if (isFloat(v)) return formatFloat(numberValue(v), verb, spec);
  if (typeof v === "function") return verb === "v" ? pad(pointerText(v), spec) : badVerb(verb, v);
  if (v instanceof Uint8Array) return formatBytes(v, verb, spec, depth);
  if (Array.isArray(v)) return formatList(v, verb, spec, depth);
  const info = structInfo(v);
  if (info) return formatStruct(v as Record<string, unknown>, verb, spec, depth, info.pointer === true);
  if (isMap(v)) return formatMap(v, verb, spec, depth);
  return badVerb(verb, v);
}

function badVerb(verb: string, v: unknown): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

let fakeAddress = 0xc000010000;
const addresses = new WeakMap<object, string>();

/** A stable fake address: Go prints pointers nested in other values as hex addresses. */
function pointerText(v: unknown): string {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return "%!p(" + typeName(v) + ")";
  let a = addresses.get(v);
  if (!a) {
    a = "0x" + fakeAddress.toString(16);
    fakeAddress += 0x30;
    addresses.set(v, a);
  }
  return a;
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case "v":
    case "s":
      return pad(truncateRunes(s, spec.prec), spec);
    case "q":
      if (spec.sharp && !s.includes("`") && !hasControl(s)) return pad("`" + s + "`", spec);
      return pad(quoteGo(truncateRunes(s, spec.prec), spec.plus), spec);
    case "x":
    case "X": {
      let hex = Buffer.from(truncateRunes(s, spec.prec), "utf8").toString("hex");
      if (verb === "X") hex = hex.toUpperCase();
      return pad(hex, spec);
    }
    default:
      return badVerb(verb, s);
  }
}

/** Control characters other than tab, which rule out a backquoted %#q. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

function truncateRunes(s: string, prec?: number): string {
  if (prec === undefined) return s;
  return Array.from(s).slice(0, prec).join("");
}

function formatInt(n: number, verb: string, spec: Spec): string {
  const neg = n < 0;
  const abs = Math.abs(n);
  // Beyond 2^53 toString switches to exponent form; BigInt keeps the digits.
  const digits = (radix: number): string =>
    Number.isSafeInteger(abs) ? abs.toString(radix) : BigInt(abs).toString(radix);
  let body: string;
  let prefix = "";
  switch (verb) {
    case "v":
    case "d":
      body = digits(10);
      break;
    case "b":
      body = digits(2);
      if (spec.sharp) prefix = "0b";
      break;
    case "o":
    case "O":
      body = digits(8);
      if (verb === "O") prefix = "0o";
      else if (spec.sharp) prefix = "0";
      break;
    case "x":
    case "X":
      body = digits(16);
      if (verb === "X") body = body.toUpperCase();
      if (spec.sharp) prefix = verb === "X" ? "0X" : "0x";
      break;
    case "c":
      return pad(String.fromCodePoint(n), spec);
    case "q":
      return pad(quoteChar(n, spec.plus), spec);
    case "U":
      return pad("U+" + abs.toString(16).toUpperCase().padStart(4, "0"), spec);
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return badVerb(verb, n);
    default:
      return badVerb(verb, n);
  }
  if (spec.prec !== undefined) body = body.padStart(spec.prec, "0");
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return padNumber(sign, prefix + body, spec);
}

function formatFloat(x: number, verb: string, spec: Spec): string {
  let body: string;
  switch (verb) {
    case "v":
    case "g":
    case "G":
      body = formatFloatG(Math.abs(x), spec.prec, verb === "G");
      break;
    case "e":
    case "E":
      body = formatFloatE(Math.abs(x), spec.prec ?? 6, verb === "E");
      break;
    case "f":
    case "F":
      body = formatFloatF(Math.abs(x), spec.prec ?? 6);
      break;
    default:
      return badVerb(verb, new GoFloat(x));
  }
  const neg = x < 0 || Object.is(x, -0);
  if (body.startsWith("-")) body = body.slice(1);
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  if (!Number.isFinite(x))
    return pad(Number.isNaN(x) ? "NaN" : (x > 0 ? (spec.plus ? "+" : "") : "-") + "Inf", spec);
  return padNumber(sign, body, spec);
}

function formatBytes(b: Uint8Array, verb: string, spec: Spec, depth: number): string {
  if (verb === "s" || verb === "q" || verb === "x" || verb === "X") {
    return formatString(Buffer.from(b).toString("latin1"), verb, spec);
  }
  return formatList(Array.from(b), verb, spec, depth);
}

function formatList(items: unknown[], verb: string, spec: Spec, depth: number): string {
  const inner = { ...spec };
  return "[" + items.map((x) => formatNested(x, verb, inner, depth + 1)).join(" ") + "]";
}

function formatMap(m: Record<string, unknown>, verb: string, spec: Spec, depth: number): string {
  const parts = sortedKeys(m).map(
    (k) => formatNested(k, verb, spec, depth + 1) + ":" + formatNested(m[k], verb, spec, depth + 1),
  );
  return "map[" + parts.join(" ") + "]";
}

function formatStruct(
  s: Record<string, unknown>,
  verb: string,
  spec: Spec,
  depth: number,
  pointer: boolean,
): string {
  if (pointer && depth > 0) return pointerText(s);
  const parts = Object.keys(s).map((k) => {
    const value = formatNested(s[k], verb, spec, depth + 1);
    return spec.plus ? `${k}:${value}` : value;
  });
  return (pointer ? "&" : "") + "{" + parts.join(" ") + "}";
}

function formatNested(v: unknown, verb: string, spec: Spec, depth: number): string {
  return formatVerb(v, verb, spec, depth);
}

function pad(s: string, spec: Spec): string {
  if (spec.width === undefined) return s;
  const n = Array.from(s).length;
  if (n >= spec.width) return s;
  const fill = " ".repeat(spec.width - n);
  return spec.minus ? s + fill : fill + s;
}

function padNumber(sign: string, body: string, spec: Spec): string {
  if (spec.zero && !spec.minus && spec.width !== undefined) {
    const need = spec.width - sign.length - body.length;
    if (need > 0) return sign + "0".repeat(need) + body;
  }
  return pad(sign + body, spec);
}

// ---- Sprintf ----

/** fmt.Sprintf with Go's error notation for bad verbs, missing and extra operands. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...noFlags };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "-") spec.minus = true;
      else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = true;
      else break;
    }
    const width = readNumber(format, i, args, argi);
    i = width.next;
    argi = width.argi;
    if (width.value !== undefined) {
      if (width.value < 0) {
        spec.minus = true;
        spec.width = -width.value;
      } else spec.width = width.value;
    }
    if (format[i] === ".") {
      const prec = readNumber(format, i + 1, args, argi);
      i = prec.next;
      argi = prec.argi;
      spec.prec = prec.value === undefined || prec.value < 0 ? 0 : prec.value;
    }
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(args[argi++], verb, spec, 0);
  }
  if (argi < args.length) {
    const extra = args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatValue(a)}`));
    out += "%!(EXTRA " + extra.join(", ") + ")";
  }
  return out;
}

function readNumber(
  format: string,
  i: number,
  args: unknown[],
  argi: number,
): { value?: number; next: number; argi: number } {
  if (format[i] === "*") {
    const a = args[argi];
    return { value: isInt(a) ? a : undefined, next: i + 1, argi: argi + 1 };
  }
  let j = i;
  while (j < format.length && /[0-9]/.test(format[j] ?? "")) j++;
  if (j === i) return { next: i, argi };
  return { value: Number(format.slice(i, j)), next: j, argi };
}
