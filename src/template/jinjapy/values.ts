// @huggingface/jinja exports its Interpreter and Environment but not its value classes, and its .d.ts
// files import each other without extensions, so under NodeNext its types resolve to `any`. We reach
// the value classes through values the Environment itself converts (so the library's instanceof checks
// hold for what we build) and declare the small part of its surface we use.

import * as jinja from "@huggingface/jinja";

/** The library's AnyRuntimeValue. */
export interface Value {
  type: string;
  value: unknown;
  toString(): string;
}
/** An AST node: every node has a string `type`. */
export interface Node {
  type: string;
}
export type Program = Node;
export interface Env {
  set(name: string, value: unknown): Value;
  setVariable(name: string, value: Value): Value;
}
export interface InterpreterLike {
  run(program: Program): Value;
  evaluate(node: Node | undefined, env: Env): Value;
}
export const Environment = jinja.Environment as new (parent?: Env) => Env;
export const Interpreter = jinja.Interpreter as new (env?: Env) => InterpreterLike;

/** Parses with the library's own parser (and its trim_blocks/lstrip_blocks, as transformers sets them). */
export function parseProgram(text: string): Program {
  return (new jinja.Template(text) as { parsed: Program }).parsed;
}

/** A runtime value converted from a plain JS value (objects become dicts, functions get raw values). */
export function fromJs(v: unknown): Value {
  return new Environment().set("v", v);
}

type Ctor<T> = new (value: T) => Value;
const ctorOf = <T>(sample: unknown): Ctor<T> => fromJs(sample).constructor as Ctor<T>;

const IntegerValue = ctorOf<number>(1);
const FloatValue = ctorOf<number>(1.5);
const StringValue = ctorOf<string>("");
const BooleanValue = ctorOf<boolean>(true);
const NullValue = ctorOf<null>(null);
const UndefinedValue = ctorOf<undefined>(undefined);
const ArrayValue = ctorOf<Value[]>([]);
const FunctionValue = ctorOf<(args: Value[], env: Env) => Value>(() => 0);

export const int = (n: number): Value => new IntegerValue(n);
export const float = (n: number): Value => new FloatValue(n);
export const str = (s: string): Value => new StringValue(s);
export const bool = (b: boolean): Value => new BooleanValue(b);
export const none = (): Value => new NullValue(null);
export const undef = (): Value => new UndefinedValue(undefined);
export const list = (items: Value[]): Value => new ArrayValue(items);
export const fn = (f: (args: Value[], env: Env) => Value): Value => new FunctionValue(f);
export const num = (n: number): Value => (Number.isInteger(n) ? int(n) : float(n));

/** The object shape of a dict value; `keys()` and `items()` are what for-loops and `.items()` use. */
interface DictLike {
  type: string;
  value: Map<string, Value>;
  keys(): Value;
  items(): Value;
}
const ObjectValue = fromJs({}).constructor as new (value: Map<string, Value>) => DictLike;

/**
 * A dict literal with non-string keys (`{0: 0, 512: 128}`). The library keys dicts by JS string, so
 * the map holds `keyString(k)` and this remembers the original key values for iteration and repr.
 */
export class KeyedDict extends ObjectValue {
  constructor(
    value: Map<string, Value>,
    readonly originalKeys: Map<string, Value>,
  ) {
    super(value);
  }
  override keys(): Value {
    return list([...this.value.keys()].map((k) => this.keyValue(k)));
  }
  override items(): Value {
    return list([...this.value.entries()].map(([k, v]) => list([this.keyValue(k), v])));
  }
  keyValue(k: string): Value {
    return this.originalKeys.get(k) ?? str(k);
  }
}

export const isStr = (v: Value): v is Value & { value: string } => v.type === "StringValue";
export const isInt = (v: Value): v is Value & { value: number } => v.type === "IntegerValue";
export const isNum = (v: Value): v is Value & { value: number } =>
  v.type === "IntegerValue" || v.type === "FloatValue";
export const isBool = (v: Value): v is Value & { value: boolean } => v.type === "BooleanValue";
export const isList = (v: Value): v is Value & { value: Value[] } =>
  v.type === "ArrayValue" || v.type === "TupleValue";
export const isDict = (v: Value): v is Value & { value: Map<string, Value> } => v.type === "ObjectValue";
export const isNamespace = (v: Value): v is Value & { value: Map<string, Value> } =>
  v.type === "NamespaceValue";
export const isUndef = (v: Value): boolean => v.type === "UndefinedValue";
export const isNone = (v: Value): boolean => v.type === "NullValue";
export const isKwargs = (v: Value): v is Value & { value: Map<string, Value> } =>
  v.type === "KeywordArgumentsValue";

/** The JS string a dict stores a key under; Python's 1 == 1.0 == True hash alike, so they share one. */
export function keyString(k: Value): string {
  if (isStr(k)) return k.value;
  if (isNum(k)) return String(k.value);
  if (isBool(k)) return k.value ? "1" : "0";
  if (isNone(k)) return "None";
  throw new Error(`unhashable type: '${k.type}'`);
}

/** Splits a call's arguments into positionals and keywords (the library appends kwargs last). */
export function splitArgs(args: Value[]): [Value[], Map<string, Value>] {
  const last = args.at(-1);
  if (last && isKwargs(last)) return [args.slice(0, -1), last.value];
  return [args, new Map<string, Value>()];
}
