// @huggingface/jinja's interpreter with the Python behaviour real chat templates rely on and the library
// lacks. We override only the public evaluate(): a node we handle is evaluated here; otherwise, when we
// had to evaluate a child first to decide, the node goes back to the library with that child replaced
// by a "held" node that evaluates to the value already computed (so nothing is evaluated twice).

import { declareGlobals } from "./globals.js";
import { extraMethod } from "./methods.js";
import { pyStr } from "./repr.js";
import {
  bool,
  Environment,
  float,
  fromJs,
  Interpreter,
  isBool,
  isDict,
  isList,
  isNone,
  isNum,
  isUndef,
  int,
  isStr,
  keyString,
  KeyedDict,
  list,
  str,
  undef,
  type Env,
  type Node,
  type Program,
  type Value,
} from "./values.js";

const HELD = "TollamaHeldValue";
const hold = (v: Value): Node => ({ type: HELD, held: v }) as Node;

// The AST fields we read, typed loosely: the library doesn't export its node classes.
interface Ident {
  type: string;
  value: string;
}
interface MemberNode {
  object: Node;
  property: Node;
  computed: boolean;
}
interface FilterNode {
  operand: Node;
  filter: Ident & { callee?: Ident; args?: Node[] };
}
interface BinaryNode {
  operator: { value: string };
  left: Node;
  right: Node;
}
interface TestNode {
  operand: Node;
  negate: boolean;
  test: Ident;
}
interface ForNode {
  iterable: Node & { lhs?: Node };
}
interface KeywordNode {
  key: Ident;
  value: Node;
}

const SEQUENCE_FILTERS = new Set(["select", "reject", "selectattr", "rejectattr", "map"]);

class PyInterpreter extends Interpreter {
  override evaluate(node: Node | undefined, env: Env): Value {
    switch (node?.type) {
      case HELD:
        return (node as unknown as { held: Value }).held;
      case "TupleLiteral":
        // Tuples as lists: the library's TupleValue can't be unpacked in a for loop, isn't `iterable`
        // and has no tojson; nothing a template can observe tells the two apart otherwise.
        return list((node as unknown as { value: Node[] }).value.map((x) => this.evaluate(x, env)));
      case "ObjectLiteral":
        return this.dictLiteral(node as unknown as { value: Map<Node, Node> }, env);
      case "MemberExpression":
        return this.member(node, node as unknown as MemberNode, env);
      case "FilterExpression":
        return this.filter(node, node as unknown as FilterNode, env);
      case "BinaryExpression":
        return this.binary(node, node as unknown as BinaryNode, env);
      case "TestExpression":
        return this.test(node, node as unknown as TestNode, env);
      case "For":
        return this.forLoop(node, node as unknown as ForNode, env);
    }
    return super.evaluate(node, env);
  }

  /** `{0: 0, 512: 128}` (Seed-OSS): integer keys, kept as such for iteration and dictsort. */
  private dictLiteral(node: { value: Map<Node, Node> }, env: Env): Value {
    const map = new Map<string, Value>();
    const keys = new Map<string, Value>();
    for (const [k, v] of node.value) {
      const key = this.evaluate(k, env);
      const ks = keyString(key);
      map.set(ks, this.evaluate(v, env));
      if (!isStr(key)) keys.set(ks, key);
    }
    return keys.size > 0 ? new KeyedDict(map, keys) : fromJsMap(map);
  }

  private member(node: Node, m: MemberNode, env: Env): Value {
    const obj = this.evaluate(m.object, env);
    const prop = m.property as unknown as Ident;
    if (!m.computed && prop.type === "Identifier") {
      const method = extraMethod(obj, prop.value);
      if (method) return method;
    } else if (m.computed && prop.type !== "SliceExpression" && isDict(obj)) {
      const key = this.evaluate(m.property, env);
      if (!isStr(key)) return obj.value.get(keyString(key)) ?? undef();
      return super.evaluate({ ...node, object: hold(obj), property: hold(key) } as Node, env);
    }
    return super.evaluate({ ...node, object: hold(obj) } as Node, env);
  }

  private filter(node: Node, f: FilterNode, env: Env): Value {
    const operand = this.evaluate(f.operand, env);
    const name = f.filter.type === "Identifier" ? f.filter.value : (f.filter.callee?.value ?? "");
    // Python's str(): {'a': True} for dicts (Apriel prints its tools this way), None, True.
    if (name === "string" && !isStr(operand)) return str(pyStr(operand));
    // llama.cpp's minja filter (DeepSeek V3.2/V4 parse string arguments with it).
    if (name === "from_json" && isStr(operand)) return fromJs(JSON.parse(operand.value));
    // Python's Undefined is empty: `tools|length` is 0 where the caller sent no tools.
    if (isUndef(operand) && (name === "length" || name === "count")) return int(0);
    if (isUndef(operand) && name === "list") return list([]);
    // Jinja's select/reject/map return nothing for a falsy input (functionary v3.1 sets tools = none).
    if ((isUndef(operand) || isNone(operand)) && SEQUENCE_FILTERS.has(name)) {
      return super.evaluate({ ...node, operand: hold(list([])) } as Node, env);
    }
    if (isList(operand) && (name === "min" || name === "max")) return minMax(operand.value, name === "max");
    if (isList(operand) && name === "sum") return sum(operand.value);
    if (operand instanceof KeyedDict) {
      if (name === "items") return operand.items();
      if (name === "dictsort") return dictsort(operand, this.args(f.filter.args ?? [], env));
    }
    return super.evaluate({ ...node, operand: hold(operand) } as Node, env);
  }

  private binary(node: Node, b: BinaryNode, env: Env): Value {
    const op = b.operator.value;
    if (op !== "in" && op !== "not in" && op !== "~") return super.evaluate(node, env);
    const left = this.evaluate(b.left, env);
    const right = this.evaluate(b.right, env);
    // Jinja's ~ joins str() of both sides; the library prints dicts as [object Map] and throws on undefined.
    if (op === "~") return str(pyStr(left) + pyStr(right));
    if (isDict(right) && !isStr(left)) return bool(right.value.has(keyString(left)) === (op === "in"));
    return super.evaluate({ ...node, left: hold(left), right: hold(right) } as Node, env);
  }

  private test(node: Node, t: TestNode, env: Env): Value {
    const operand = this.evaluate(t.operand, env);
    // Python dicts are iterable (over their keys); the library says no.
    if (t.test.value === "iterable" && isDict(operand)) return bool(!t.negate);
    return super.evaluate({ ...node, operand: hold(operand) } as Node, env);
  }

  /** Python iterates an undefined value as empty (Hermes and Command R loop over `tools` unguarded). */
  private forLoop(node: Node, f: ForNode, env: Env): Value {
    const select = f.iterable.type === "SelectExpression";
    const source = select ? f.iterable.lhs : f.iterable;
    if (source === undefined) return super.evaluate(node, env);
    let items = this.evaluate(source, env);
    if (isUndef(items)) items = list([]);
    const iterable = select ? { ...f.iterable, lhs: hold(items) } : hold(items);
    return super.evaluate({ ...node, iterable } as Node, env);
  }

  private args(nodes: Node[], env: Env): [Value[], Map<string, Value>] {
    const positional: Value[] = [];
    const kwargs = new Map<string, Value>();
    for (const a of nodes) {
      if (a.type === "KeywordArgumentExpression") {
        const kw = a as unknown as KeywordNode;
        kwargs.set(kw.key.value, this.evaluate(kw.value, env));
      } else positional.push(this.evaluate(a, env));
    }
    return [positional, kwargs];
  }
}

function fromJsMap(map: Map<string, Value>): Value {
  const dict = fromJs({});
  for (const [k, v] of map) (dict.value as Map<string, Value>).set(k, v);
  return dict;
}

function minMax(items: Value[], max: boolean): Value {
  let best: Value | undefined;
  for (const v of items) {
    const k = (x: Value) => (isStr(x) ? x.value.toLowerCase() : Number(x.value));
    if (best === undefined || (max ? k(v) > k(best) : k(v) < k(best))) best = v;
  }
  return best ?? undef();
}

function sum(items: Value[]): Value {
  let total = 0;
  let isFloat = false;
  for (const v of items) {
    if (!isNum(v) && !isBool(v)) throw new Error(`unsupported operand type(s) for +: '${v.type}'`);
    total += Number(v.value);
    isFloat ||= v.type === "FloatValue";
  }
  return isFloat ? float(total) : int(total);
}

/** dictsort(case_sensitive=False, by='key', reverse=False) over a dict with non-string keys. */
function dictsort(d: KeyedDict, [args, kwargs]: [Value[], Map<string, Value>]): Value {
  const opt = (i: number, name: string): unknown => (args[i] ?? kwargs.get(name))?.value;
  const caseSensitive = opt(0, "case_sensitive") === true;
  const byValue = opt(1, "by") === "value";
  const reverse = opt(2, "reverse") === true;
  const sortKey = (v: Value): string | number =>
    isStr(v)
      ? caseSensitive
        ? v.value
        : v.value.toLowerCase()
      : isNum(v) || isBool(v)
        ? Number(v.value)
        : pyStr(v);
  const pairs = [...d.value.entries()].map(([k, v]) => [d.keyValue(k), v] as const);
  pairs.sort((a, b) => {
    const x = sortKey(byValue ? a[1] : a[0]);
    const y = sortKey(byValue ? b[1] : b[0]);
    let c: number;
    if (typeof x === "number" && typeof y === "number") c = Math.sign(x - y);
    else if (typeof x !== typeof y) throw new Error("'<' not supported between int and str");
    else c = String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
    return reverse ? -c : c;
  });
  return list(pairs.map(([k, v]) => list([k, v])));
}

/** Renders a parsed template with Python-compatible behaviour; values are plain JS. */
export function renderProgram(
  program: Program,
  values: Record<string, unknown>,
  opts: { now?: () => Date } = {},
): string {
  const env = new Environment();
  declareGlobals(env, opts.now);
  for (const [k, v] of Object.entries(values)) env.setVariable(k, fromJs(v));
  const result = new PyInterpreter(env).run(program);
  return String(result.value);
}
