// A small model of encoding/json's reflection-driven decoding: enough to
// reproduce which error Go reports, and how it words the field path.
//
// Go's rules mirrored here:
// - type mismatches are *saved* (the first one wins) and decoding goes on;
// - errors from UnmarshalJSON methods are *returned*: they abort at once and
//   beat any saved error;
// - the error names the innermost struct but the full dotted path of JSON
//   names from the top (Go 1.24+); crossing an UnmarshalJSON method that calls
//   json.Unmarshal again restarts the path, and the outer decoder prefixes it;
// - null leaves strings/numbers/bools/structs alone and zeroes pointers,
//   slices, maps and interfaces;
// - a repeated key decodes again into the value already there.
import { GoError, GoTypeError } from "./errors.js";
import { JsonNumber, JsonObject, type JsonValue } from "./json.js";

export class DecodeState {
  struct: string | null = null;
  readonly stack: string[] = [];
  saved: Error | null = null;
  /** Raw text of the object member being decoded, for json.RawMessage fields. */
  raw = "";

  save(err: Error): void {
    if (this.saved === null) this.saved = this.withContext(err);
  }

  withContext<E>(err: E): E {
    if ((this.struct !== null || this.stack.length > 0) && err instanceof GoTypeError) {
      err.struct = this.struct ?? "";
      err.field = (err.field !== "" ? [...this.stack, err.field] : this.stack).join(".");
    }
    return err;
  }
}

/** Decodes v into a Go value of some type; prev is what the field held before. */
export type Dec<T> = (st: DecodeState, v: JsonValue, prev: T | undefined) => T;

/** json.Unmarshal: a fresh decoder; saved errors become the returned error. */
export function unmarshal<T>(v: JsonValue, dec: Dec<T>, prev?: T): T {
  const st = new DecodeState();
  let out: T;
  try {
    out = dec(st, v, prev);
  } catch (err) {
    throw st.withContext(err);
  }
  if (st.saved !== null) throw st.saved;
  return out;
}

/** How Go's UnmarshalTypeError names a JSON value's kind. */
export function kindOf(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (v instanceof JsonNumber) return "number";
  if (Array.isArray(v)) return "array";
  return "object";
}

function mismatch<T>(st: DecodeState, v: JsonValue, goType: string, prev: T): T {
  st.save(new GoTypeError(kindOf(v), goType));
  return prev;
}

export const goString: Dec<string> = (st, v, prev) => {
  if (typeof v === "string") return v;
  if (v === null) return prev ?? "";
  return mismatch(st, v, "string", prev ?? "");
};

export const goBool: Dec<boolean> = (st, v, prev) => {
  if (typeof v === "boolean") return v;
  if (v === null) return prev ?? false;
  return mismatch(st, v, "bool", prev ?? false);
};

const intLimits: Record<string, [bigint, bigint]> = {
  int: [-(1n << 63n), (1n << 63n) - 1n],
  uint8: [0n, 255n],
  uint64: [0n, (1n << 64n) - 1n],
};

/** Go integer kinds: strconv.ParseInt semantics, so 1.0 and 1e3 are refused. */
export function goInt(goType: "int" | "uint8" | "uint64" = "int"): Dec<number> {
  const [lo, hi] = intLimits[goType] as [bigint, bigint];
  const pattern = goType === "int" ? /^-?[0-9]+$/ : /^[0-9]+$/;
  return (st, v, prev) => {
    if (v instanceof JsonNumber) {
      if (pattern.test(v.text)) {
        const n = BigInt(v.text);
        if (n >= lo && n <= hi) return Number(n);
      }
      st.save(new GoTypeError("number " + v.text, goType));
      return prev ?? 0;
    }
    if (v === null) return prev ?? 0;
    return mismatch(st, v, goType, prev ?? 0);
  };
}

export const goFloat64: Dec<number> = (st, v, prev) => {
  if (v instanceof JsonNumber) {
    const n = v.value;
    if (Number.isFinite(n)) return n;
    st.save(new GoTypeError("number " + v.text, "float64"));
    return prev ?? 0;
  }
  if (v === null) return prev ?? 0;
  return mismatch(st, v, "float64", prev ?? 0);
};

/** float32: a number beyond its range is refused by strconv.ParseFloat's 32-bit form. */
export const goFloat32: Dec<number> = (st, v, prev) => {
  if (v instanceof JsonNumber) {
    const n = Math.fround(v.value);
    if (Number.isFinite(n)) return n;
    st.save(new GoTypeError("number " + v.text, "float32"));
    return prev ?? 0;
  }
  if (v === null) return prev ?? 0;
  return mismatch(st, v, "float32", prev ?? 0);
};

/** What Go's `any` holds after decoding: plain JSON, maps without order. */
export type GoAny = null | boolean | number | string | GoAny[] | { [key: string]: GoAny };

function anyValue(st: DecodeState, v: JsonValue): GoAny {
  if (v instanceof JsonNumber) {
    const n = v.value;
    if (Number.isFinite(n)) return n;
    // convertNumber's error is not tied to a struct field path of its own
    st.save(new GoTypeError("number " + v.text, "float64"));
    return null;
  }
  if (Array.isArray(v)) return v.map((e) => anyValue(st, e));
  if (v instanceof JsonObject) {
    // A null prototype keeps "__proto__" an ordinary key, as in Go.
    const out = Object.create(null) as { [key: string]: GoAny };
    for (const e of v.entries) out[e.key] = anyValue(st, e.value);
    return out;
  }
  return v;
}

/** interface{}: anything decodes, null included (then it is nil). */
export const goAny: Dec<GoAny> = (st, v) => anyValue(st, v);

/** A pointer field: null resets it to nil (undefined), anything else decodes into it. */
export function goPtr<T>(elem: Dec<T>): Dec<T | undefined> {
  return (st, v, prev) => (v === null ? undefined : elem(st, v, prev));
}

/** A slice: null is nil; existing elements are decoded into, as Go does. */
export function goSlice<T>(elem: Dec<T>, goType: string): Dec<T[] | undefined> {
  return (st, v, prev) => {
    if (v === null) return undefined;
    if (!Array.isArray(v)) return mismatch(st, v, goType, prev);
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) out.push(elem(st, v[i] as JsonValue, prev?.[i]));
    return out;
  };
}

/** map[string]T: null is nil; a second object for the same field merges into the first. */
export function goMap<T>(elem: Dec<T>, goType: string): Dec<Record<string, T> | undefined> {
  return (st, v, prev) => {
    if (v === null) return undefined;
    if (!(v instanceof JsonObject)) return mismatch(st, v, goType, prev);
    const out = prev ?? (Object.create(null) as Record<string, T>);
    for (const e of v.entries) out[e.key] = elem(st, e.value, undefined);
    return out;
  };
}

const base64Alphabet = /^[A-Za-z0-9+/]*$/;

/** encoding/base64.StdEncoding.Decode, which skips \r and \n and wants padding. */
export function goBase64(s: string): Buffer {
  const stripped = s.includes("\r") || s.includes("\n") ? s.replace(/[\r\n]/g, "") : s;
  if (stripped.length % 4 === 0 && base64Alphabet.test(stripped.replace(/={1,2}$/, ""))) {
    return Buffer.from(stripped, "base64");
  }
  throw new GoError(`illegal base64 data at input byte ${base64ErrorOffset(s)}`);
}

function base64Value(c: string): boolean {
  return /^[A-Za-z0-9+/]$/.test(c);
}

// Walks the input the way Go's decoder does to find the byte it complains about.
function base64ErrorOffset(s: string): number {
  const bytes = Buffer.from(s, "utf8");
  const chars = bytes.toString("latin1");
  let i = 0;
  const next = (): number => {
    while (i < chars.length && (chars[i] === "\n" || chars[i] === "\r")) i++;
    return i;
  };
  for (;;) {
    // one quantum of 4 symbols
    for (let j = 0; j < 4; j++) {
      next();
      if (i >= chars.length) {
        if (j === 0) return 0; // unreachable for erroring input
        return i - j;
      }
      const c = chars[i] as string;
      if (c === "=") {
        // padding: only allowed at positions 2 and 3 of a quantum
        if (j === 0 || j === 1) return i;
        if (j === 2) {
          i++;
          next();
          if (i >= chars.length) return chars.length;
          if (chars[i] !== "=") return i - 1;
        }
        i++;
        next();
        if (i < chars.length) return i;
        return 0;
      }
      if (!base64Value(c)) return i;
      i++;
    }
  }
}

/** []byte and named byte slices: a base64 string, or an array of small numbers. */
export function goBytes(goType: string): Dec<Buffer | undefined> {
  const byte = goInt("uint8");
  return (st, v, prev) => {
    if (v === null) return undefined;
    if (typeof v === "string") {
      try {
        return goBase64(v);
      } catch (err) {
        st.save(err as Error);
        return prev;
      }
    }
    if (Array.isArray(v)) return Buffer.from(v.map((e) => byte(st, e, 0)));
    return mismatch(st, v, goType, prev);
  };
}

export interface FieldSpec {
  /** JSON name as in the Go struct tag. */
  readonly json: string;
  /** Property name on the decoded TypeScript object. */
  readonly prop: string;
  /** Any Dec<T>; `never` lets differently typed decoders share this slot. */
  readonly dec: (st: DecodeState, v: JsonValue, prev: never) => unknown;
}

// encoding/json falls back to a case-insensitive match (its foldName).
function foldName(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch < "\u0080") {
      out += ch >= "a" && ch <= "z" ? ch.toUpperCase() : ch;
    } else {
      const folded = ch.toLowerCase().toUpperCase();
      out += [...folded].length === 1 ? folded : ch;
    }
  }
  return out;
}

/**
 * A Go struct. goName is the bare type name ("GenerateRequest"; "" for an anonymous struct), and
 * `typeName` how Go prints the type in a mismatch (default `api.` + goName).
 */
export function goStruct<T extends object>(
  goName: string,
  fields: readonly FieldSpec[],
  init: () => T,
  typeName = "api." + goName,
): Dec<T> {
  const exact = new Map<string, FieldSpec>();
  const folded = new Map<string, FieldSpec>();
  for (const f of fields) {
    exact.set(f.json, f);
    if (!folded.has(foldName(f.json))) folded.set(foldName(f.json), f);
  }
  return (st, v, prev) => {
    if (v === null) return prev ?? init();
    if (!(v instanceof JsonObject)) return mismatch(st, v, typeName, prev ?? init());
    const out = prev ?? init();
    const target = out as Record<string, unknown>;
    for (const e of v.entries) {
      const f = exact.get(e.key) ?? folded.get(foldName(e.key));
      if (f === undefined) continue;
      const saveStruct = st.struct;
      st.stack.push(f.json);
      st.struct = goName;
      st.raw = v.raw(e);
      target[f.prop] = f.dec(st, e.value, target[f.prop] as never);
      // Like Go, the context is only restored on success: an abort keeps it.
      st.stack.pop();
      st.struct = saveStruct;
    }
    return out;
  };
}

/** A type with an UnmarshalJSON method that re-enters json.Unmarshal. */
export function goUnmarshaler<T>(fn: (v: JsonValue, prev: T | undefined) => T): Dec<T> {
  return (_st, v, prev) => fn(v, prev);
}
