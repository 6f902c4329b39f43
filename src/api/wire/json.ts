// A JSON reader that fails exactly like Go's json.Decoder.Decode does when gin
// binds a request body: it reads ONE value, ignores whatever follows it, and
// words syntax errors as encoding/json's scanner does.
//
// JSON.parse is not used on the whole body: it reorders integer-like object
// keys, collapses duplicate keys and forgets number spellings, all of which
// Go's typed decoding can observe ("number 1.0" into an int field, ordered
// tool arguments). String bodies, the bulk of real requests (base64 images),
// are still found with a native regex and unescaped by JSON.parse.
import { GoError, quoteByte } from "./errors.js";

/** A JSON number, kept as written so integer decoding can reject 1.0 like Go. */
export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
}

/** An object entry; `start`/`end` locate the value's raw text in `source`. */
export interface JsonEntry {
  readonly key: string;
  readonly value: JsonValue;
  readonly start: number;
  readonly end: number;
}

/** A JSON object with key order and duplicate keys exactly as written. */
export class JsonObject {
  readonly entries: JsonEntry[] = [];
  constructor(readonly source: string) {}
  /** Raw text of an entry's value, as json.RawMessage would hold it. */
  raw(entry: JsonEntry): string {
    return this.source.slice(entry.start, entry.end);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export type DecodedJson =
  | { readonly kind: "value"; readonly value: JsonValue; readonly end: number }
  /** Empty or whitespace-only body: Go's io.EOF, Ollama's "missing request body". */
  | { readonly kind: "missing" }
  | { readonly kind: "error"; readonly message: string };

/** encoding/json's maxNestingDepth. */
const maxDepth = 10000;

// Thrown internally when input ends early; mapped to Go's "unexpected EOF".
class Eof extends Error {}
const eof = new Eof("unexpected EOF");

interface Frame {
  readonly array: JsonValue[] | null;
  readonly object: JsonObject | null;
  key: string;
  start: number;
}

// Control characters are exactly what Go rejects inside strings.
// eslint-disable-next-line no-control-regex
const stringSpecial = /["\\\u0000-\u001f]/g;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  /** The byte Go's scanner would have been looking at (first UTF-8 byte of the char). */
  private byteAt(i: number): number {
    const cp = this.s.codePointAt(i) ?? 0xfffd;
    if (cp < 0x80) return cp;
    if (cp < 0x800) return 0xc0 | (cp >> 6);
    if (cp >= 0xd800 && cp <= 0xdfff) return 0xef; // lone surrogate: Go sees U+FFFD
    if (cp < 0x10000) return 0xe0 | (cp >> 12);
    return 0xf0 | (cp >> 18);
  }

  fail(context: string): never {
    throw new GoError(`invalid character ${quoteByte(this.byteAt(this.i))} ${context}`);
  }

  /** Code unit at i, or throws EOF. */
  peek(): number {
    if (this.i >= this.s.length) throw eof;
    return this.s.charCodeAt(this.i);
  }

  skipSpace(): number {
    const s = this.s;
    let i = this.i;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    this.i = i;
    if (i >= s.length) throw eof;
    return s.charCodeAt(i);
  }

  string(): string {
    const s = this.s;
    const start = ++this.i; // past the opening quote
    let escaped = false;
    let uEscape = false;
    for (;;) {
      stringSpecial.lastIndex = this.i;
      const m = stringSpecial.exec(s);
      if (m === null) {
        this.i = s.length;
        throw eof;
      }
      this.i = m.index;
      const c = s.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail("in string literal");
      escaped = true;
      this.i++;
      const e = this.peek();
      if (e === 0x75) {
        uEscape = true;
        for (let k = 0; k < 4; k++) {
          this.i++;
          if (!isHex(this.peek())) this.fail("in \\u hexadecimal character escape");
        }
        this.i++;
      } else if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        this.i++;
      } else {
        this.fail("in string escape code");
      }
    }
    const end = this.i++;
    if (!escaped) return s.slice(start, end);
    const text = JSON.parse(s.slice(start - 1, end + 1)) as string;
    // Go turns unpaired \uD800-\uDFFF escapes into U+FFFD.
    return uEscape ? text.replace(loneSurrogate, "\ufffd") : text;
  }

  number(): JsonNumber {
    const s = this.s;
    const start = this.i;
    let c = this.peek();
    if (c === 0x2d) {
      this.i++;
      c = this.peek();
      if (!isDigit(c)) this.fail("in numeric literal");
    }
    this.i++;
    if (c !== 0x30) while (this.i < s.length && isDigit(s.charCodeAt(this.i))) this.i++;
    if (this.i < s.length && s.charCodeAt(this.i) === 0x2e) {
      this.i++;
      if (!isDigit(this.peek())) this.fail("after decimal point in numeric literal");
      while (this.i < s.length && isDigit(s.charCodeAt(this.i))) this.i++;
    }
    if (this.i < s.length && (s.charCodeAt(this.i) | 0x20) === 0x65) {
      this.i++;
      c = this.peek();
      if (c === 0x2b || c === 0x2d) {
        this.i++;
        c = this.peek();
      }
      if (!isDigit(c)) this.fail("in exponent of numeric literal");
      while (this.i < s.length && isDigit(s.charCodeAt(this.i))) this.i++;
    }
    return new JsonNumber(s.slice(start, this.i));
  }

  literal(word: string, context: string): void {
    this.i++; // first letter already matched
    for (let k = 1; k < word.length; k++) {
      if (this.peek() !== word.charCodeAt(k)) this.fail(`in literal ${context} (expecting '${word[k]}')`);
      this.i++;
    }
  }

  parse(): JsonValue {
    const stack: Frame[] = [];
    let value: JsonValue;
    let c = this.skipSpace();
    for (;;) {
      // Read one value starting at c (whitespace already skipped).
      if (c === 0x7b || c === 0x5b) {
        if (stack.length + 1 > maxDepth) this.fail("exceeded max depth");
        this.i++;
        if (c === 0x7b) {
          const object = new JsonObject(this.s);
          c = this.skipSpace();
          if (c === 0x7d) {
            this.i++;
            value = object;
          } else {
            if (c !== 0x22) this.fail("looking for beginning of object key string");
            const frame: Frame = { array: null, object, key: this.string(), start: 0 };
            if (this.skipSpace() !== 0x3a) this.fail("after object key");
            this.i++;
            c = this.skipSpace();
            frame.start = this.i;
            stack.push(frame);
            continue;
          }
        } else {
          const array: JsonValue[] = [];
          c = this.skipSpace();
          if (c === 0x5d) {
            this.i++;
            value = array;
          } else {
            stack.push({ array, object: null, key: "", start: this.i });
            continue;
          }
        }
      } else if (c === 0x22) {
        value = this.string();
      } else if (c === 0x2d || isDigit(c)) {
        value = this.number();
      } else if (c === 0x74) {
        this.literal("true", "true");
        value = true;
      } else if (c === 0x66) {
        this.literal("false", "false");
        value = false;
      } else if (c === 0x6e) {
        this.literal("null", "null");
        value = null;
      } else {
        this.fail("looking for beginning of value");
      }

      // Attach the finished value to its container, closing containers as needed.
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame === undefined) return value;
        if (frame.object !== null) {
          frame.object.entries.push({ key: frame.key, value, start: frame.start, end: this.i });
          c = this.skipSpace();
          if (c === 0x2c) {
            this.i++;
            if (this.skipSpace() !== 0x22) this.fail("looking for beginning of object key string");
            frame.key = this.string();
            if (this.skipSpace() !== 0x3a) this.fail("after object key");
            this.i++;
            c = this.skipSpace();
            frame.start = this.i;
            break;
          }
          if (c !== 0x7d) this.fail("after object key:value pair");
          this.i++;
          stack.pop();
          value = frame.object;
        } else {
          const array = frame.array as JsonValue[];
          array.push(value);
          c = this.skipSpace();
          if (c === 0x2c) {
            this.i++;
            c = this.skipSpace();
            break;
          }
          if (c !== 0x5d) this.fail("after array element");
          this.i++;
          stack.pop();
          value = array;
        }
      }
    }
  }
}

/**
 * Reads the first JSON value of a request body the way gin's ShouldBindJSON
 * does. Trailing data after that value is ignored, as Go's Decoder does.
 */
export function decodeJson(body: string | Buffer): DecodedJson {
  const s = typeof body === "string" ? body : body.toString("utf8");
  const scanner = new Scanner(s);
  try {
    const value = scanner.parse();
    return { kind: "value", value, end: scanner.i };
  } catch (err) {
    if (err === eof) {
      for (let k = 0; k < s.length; k++) {
        if (!isSpace(s.charCodeAt(k))) return { kind: "error", message: "unexpected EOF" };
      }
      return { kind: "missing" };
    }
    if (err instanceof GoError) return { kind: "error", message: err.message };
    throw err;
  }
}
