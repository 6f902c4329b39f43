// How Go's typed values are modelled with plain JS values, so the engine can follow Go's reflection rules.
//
//   undefined                  an invalid reflect.Value ("no value": a missing map key, an empty pipeline)
//   null                       a nil interface or nil pointer
//   string, boolean            string, bool
//   number                     int when Number.isInteger, float64 otherwise
//   GoFloat                    an explicit float64 (a JSON number), so 3.0 stays a float: eq 3.0 3 fails as in Go
//   Array / Uint8Array         a slice ([]byte prints as numbers and marshals as base64)
//   plain object               map[string]any: keys range and print in sorted order, a missing key is the zero value
//   object tagged goStruct     a struct (or *struct): fields in insertion order, a missing field is an error
//   function                   a func value (for `call`) or, when found as a field, a method
//
// Any object or array may carry a `[goStringer]()` method: Go's fmt prints it through that, as it does for
// a value with a String() method (Ollama's tool and argument types print themselves as JSON this way).
// It may also carry `[goJson]()`, the equivalent of MarshalJSON.

export const goStringer: unique symbol = Symbol.for("tollama.template.goString");
export const goJson: unique symbol = Symbol.for("tollama.template.goJson");
export const goStruct: unique symbol = Symbol.for("tollama.template.goStruct");

/** A float64 that must not be mistaken for an int even when integral. */
export class GoFloat {
  constructor(readonly value: number) {}
}

export interface StructInfo {
  /** Go's type name as reflection prints it, e.g. "*template.templateMessage". */
  typeName: string;
  /** A pointer to a struct prints as &{...} at the top level and as an address inside other values. */
  pointer?: boolean;
}

export type GoObject = Record<string | symbol, unknown>;

/** Tags an object as a Go struct; its own enumerable keys, in order, are its fields. */
export function makeStruct<T extends object>(fields: T, info: StructInfo): T {
  Object.defineProperty(fields, goStruct, { value: info, enumerable: false });
  return fields;
}

/** Gives a value a String() method (as Go's fmt.Stringer). */
export function withStringer<T extends object>(value: T, toString: (self: T) => string): T {
  Object.defineProperty(value, goStringer, { value: () => toString(value), enumerable: false });
  return value;
}

/** Gives a value a MarshalJSON method returning raw JSON. */
export function withJson<T extends object>(value: T, toJson: (self: T) => string): T {
  Object.defineProperty(value, goJson, { value: () => toJson(value), enumerable: false });
  return value;
}

export function structInfo(v: unknown): StructInfo | undefined {
  if (v === null || typeof v !== "object") return undefined;
  return (v as GoObject)[goStruct] as StructInfo | undefined;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof GoFloat) &&
    structInfo(v) === undefined
  );
}

export function isSlice(v: unknown): v is unknown[] | Uint8Array {
  return Array.isArray(v) || v instanceof Uint8Array;
}

export function stringerOf(v: unknown): (() => string) | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const fn = (v as GoObject)[goStringer];
  return typeof fn === "function" ? (fn as () => string) : undefined;
}

export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

export function isFloat(v: unknown): boolean {
  return v instanceof GoFloat || (typeof v === "number" && !Number.isInteger(v));
}

export function numberValue(v: unknown): number {
  return v instanceof GoFloat ? v.value : (v as number);
}

/** Map keys in Go's sorted order (fmtsort: bytewise for strings). */
export function sortedKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m).sort(compareBytes);
}

/** Compares strings by UTF-8 bytes, as Go does; UTF-16 order differs only above the BMP. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Go's type name for a value, as %T and error messages show it. */
export function typeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (v instanceof GoFloat) return "float64";
  if (typeof v === "function") return "func";
  if (v instanceof Uint8Array) return "[]uint8";
  if (Array.isArray(v)) return "[]interface {}";
  const info = structInfo(v);
  if (info) return info.typeName;
  return "map[string]interface {}";
}

/** Go's truth rule for if/with/and/or/not; structs are always true, empty containers false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "string") return v.length > 0;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (v instanceof GoFloat) return v.value !== 0;
  if (typeof v === "function") return true;
  if (isSlice(v)) return v.length > 0;
  if (structInfo(v)) return true;
  return Object.keys(v).length > 0;
}
