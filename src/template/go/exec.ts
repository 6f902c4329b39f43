// Go text/template's evaluator: walks a parsed tree against data, following exec.go's rules for
// fields, variables, pipelines, control structures and printing (see values.ts for the value model).

import type {
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  PipeNode,
  TemplateNode,
  VariableNode,
  AnyNode,
} from "./ast.js";
import { nodeString } from "./ast.js";
import { TemplateError } from "./errors.js";
import { formatValue } from "./fmt.js";
import { builtins, type FuncSpec } from "./funcs.js";
import {
  GoFloat,
  isInt,
  isMap,
  isSlice,
  sortedKeys,
  stringerOf,
  structInfo,
  truth,
  typeName,
} from "./values.js";

export type MissingKey = "invalid" | "zero" | "error";

export interface ExecContext {
  /** The template's name as errors show it. */
  name: string;
  /** Source text, for line:col in errors. */
  source: string;
  trees: ReadonlyMap<string, ListNode>;
  funcs: ReadonlyMap<string, FuncSpec>;
  missingKey: MissingKey;
}

const maxExecDepth = 100000;
/** Go's "no final argument" marker, distinct from an invalid value. */
const missing: unique symbol = Symbol("missing");
type Final = unknown;

// {{break}} and {{continue}} unwind to the enclosing range as exceptions.
class BreakSignal extends Error {}
class ContinueSignal extends Error {}
const breakSignal = new BreakSignal();
const continueSignal = new ContinueSignal();

interface Variable {
  name: string;
  value: unknown;
}

export function execute(ctx: ExecContext, treeName: string, data: unknown): string {
  const root = ctx.trees.get(treeName);
  const state = new State(ctx, treeName, [{ name: "$", value: data }], 0);
  if (!root) return state.fail(`${JSON.stringify(treeName)} is an incomplete or empty template`);
  try {
    state.walk(data, root);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new TemplateError(
        `template: ${ctx.name}: exceeded maximum template depth (${maxExecDepth})`,
        "exec",
      );
    }
    throw e;
  }
  return state.out.join("");
}

class State {
  out: string[] = [];
  private node: AnyNode | undefined;

  constructor(
    private readonly ctx: ExecContext,
    private readonly tmplName: string,
    private vars: Variable[],
    private readonly depth: number,
    out?: string[],
  ) {
    if (out) this.out = out;
  }

  // ---- errors ----

  private at(n: AnyNode): void {
    this.node = n;
  }

  fail(message: string): never {
    if (!this.node) throw new TemplateError(`template: ${this.tmplName}: ${message}`, "exec");
    const [line, col] = lineCol(this.ctx.source, this.node.pos);
    const where = `${this.ctx.name}:${line}:${col}`;
    throw new TemplateError(
      `template: ${where}: executing ${JSON.stringify(this.tmplName)} at <${nodeString(this.node)}>: ${message}`,
      "exec",
    );
  }

  // ---- variables ----

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    const v = this.vars[this.vars.length - n];
    if (v) v.value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) return v.value;
    }
    this.fail(`undefined variable: ${name}`);
  }

  // ---- walking ----

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "break":
        throw breakSignal;
      case "continue":
        throw continueSignal;
      case "if":
      case "with":
        return this.walkIfOrWith(dot, node);
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "range":
        return this.walkRange(dot, node);
      case "template":
        return this.walkTemplate(dot, node);
      case "text":
        this.out.push(node.text);
        return;
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (truth(val)) this.walk(node.type === "with" ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const one = (index: unknown, elem: unknown): boolean => {
        this.rangeVars(r.pipe, index, elem);
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === breakSignal) return false;
          if (e !== continueSignal) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      if (this.iterate(val, r, one)) return;
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  /** Runs the body per element; false when there was nothing to iterate (the else branch runs). */
  private iterate(val: unknown, r: BranchNode, one: (index: unknown, elem: unknown) => boolean): boolean {
    if (val === undefined || val === null) return false;
    if (isSlice(val)) {
      for (let i = 0; i < val.length; i++) if (!one(i, val[i])) break;
      return val.length > 0;
    }
    if (isInt(val)) {
      if (r.pipe.decl.length > 1) this.fail(`can't use ${val} to iterate over more than one variable`);
      for (let i = 0; i < val; i++) if (!one(i, i)) break;
      return val > 0;
    }
    if (isMap(val)) {
      const keys = sortedKeys(val);
      for (const k of keys) if (!one(k, val[k])) break;
      return keys.length > 0;
    }
    this.fail(`range can't iterate over ${formatValue(val)}`);
  }

  private rangeVars(pipe: PipeNode, index: unknown, elem: unknown): void {
    const decl = pipe.decl;
    if (decl.length === 0) return;
    const name = (i: number): string => decl[i]?.ident[0] ?? "";
    if (pipe.isAssign) {
      this.setVar(name(0), decl.length > 1 ? index : elem);
      if (decl.length > 1) this.setVar(name(1), elem);
      return;
    }
    // The declarations were pushed by evalPipeline: the element is on top, the index below it.
    this.setTopVar(1, elem);
    if (decl.length > 1) this.setTopVar(2, index);
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.ctx.trees.get(t.name);
    if (!tree) this.fail(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= maxExecDepth) this.fail(`exceeded maximum template depth (${maxExecDepth})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const inner = new State(this.ctx, t.name, [{ name: "$", value: newDot }], this.depth + 1, this.out);
    inner.walk(newDot, tree);
  }

  // ---- printing ----

  private printValue(node: AnyNode, v: unknown): void {
    this.at(node);
    if (v === undefined) {
      this.out.push("<no value>");
      return;
    }
    const stringer = stringerOf(v);
    if (stringer) {
      this.out.push(stringer());
      return;
    }
    if (typeof v === "function") this.fail(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out.push(formatValue(v));
  }

  // ---- pipelines and commands ----

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = missing;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface becomes "no value", as Go digs into interface{} results.
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      const name = v.ident[0] ?? "";
      if (pipe.isAssign) this.setVar(name, value);
      else this.push(name, value);
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    if (!first) this.fail("empty command");
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.fail("nil is not a command");
      // falls through (fail never returns)
      case "number":
        return this.constant(first);
      case "string":
        return first.text;
    }
  }

  private constant(n: Extract<ArgNode, { type: "number" }>): unknown {
    const looksFloat = !/^[+-]?0[xX]/.test(n.text) && !n.text.startsWith("'") && /[.eEpP]/.test(n.text);
    if (n.isFloat && looksFloat) return new GoFloat(n.value);
    if (n.isInt) return n.value;
    this.fail(`${n.text} overflows int`);
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== missing)
      this.fail(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: ArgNode[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[], final: Final): unknown {
    this.at(chain);
    if (chain.node.type === "nil") this.fail(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, chain.node, true);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: ArgNode[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0] ?? "$");
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: AnyNode,
    ident: string[],
    args: ArgNode[],
    final: Final,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(dot, ident[i] ?? "", node, [], missing, r);
    return this.evalField(dot, ident[ident.length - 1] ?? "", node, args, final, r);
  }

  private evalField(
    dot: unknown,
    fieldName: string,
    node: AnyNode,
    args: ArgNode[],
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) {
      if (this.ctx.missingKey === "error")
        this.fail(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${fieldName}`);
    const method = findMethod(receiver, fieldName);
    if (method)
      return this.evalCall(
        dot,
        { fn: method.bind(receiver), params: 0, variadic: true },
        node,
        fieldName,
        args,
        final,
      );
    const hasArgs = args.length > 1 || final !== missing;
    if (structInfo(receiver)) {
      if (!Object.hasOwn(receiver, fieldName)) {
        this.fail(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
      }
      if (hasArgs) this.fail(`${fieldName} has arguments but cannot be invoked as function`);
      return (receiver as Record<string, unknown>)[fieldName];
    }
    if (isMap(receiver)) {
      if (hasArgs) this.fail(`${fieldName} is not a method but has arguments`);
      if (Object.hasOwn(receiver, fieldName)) return receiver[fieldName];
      if (this.ctx.missingKey === "zero") return null;
      if (this.ctx.missingKey === "error") this.fail(`map has no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    this.fail(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: ArgNode[],
    final: Final,
  ): unknown {
    this.at(node);
    const name = node.ident;
    const spec = this.ctx.funcs.get(name);
    if (!spec) this.fail(`${JSON.stringify(name)} is not a defined function`);
    if ((name === "and" || name === "or") && this.ctx.funcs.get(name) === builtins[name]) {
      return this.evalAndOr(dot, name, cmd, args, final);
    }
    return this.evalCall(dot, spec, cmd, name, args, final);
  }

  /** and/or evaluate arguments left to right and stop at the first deciding one, returning it. */
  private evalAndOr(dot: unknown, name: string, node: AnyNode, args: ArgNode[], final: Final): unknown {
    const operands = args.slice(1);
    const count = operands.length + (final === missing ? 0 : 1);
    if (count < 1) {
      this.at(node);
      this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
    }
    let v: unknown;
    for (const a of operands) {
      v = this.evalArg(dot, a, true);
      if (truth(v) === (name === "or")) return v;
    }
    return final === missing ? v : final;
  }

  private evalCall(
    dot: unknown,
    spec: FuncSpec,
    node: AnyNode,
    name: string,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const operands = args.slice(1);
    const numIn = operands.length + (final === missing ? 0 : 1);
    if (spec.variadic) {
      if (numIn < spec.params)
        this.fail(`wrong number of args for ${name}: want at least ${spec.params} got ${numIn}`);
    } else if (numIn !== spec.params) {
      this.fail(`wrong number of args for ${name}: want ${spec.params} got ${numIn}`);
    }
    const values = operands.map((a) => this.evalArg(dot, a, spec.rawArgs === true));
    if (final !== missing) values.push(spec.rawArgs || final !== undefined ? final : null);
    this.checkStringParams(spec, values);
    try {
      return spec.fn(...values);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      this.fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private checkStringParams(spec: FuncSpec, values: unknown[]): void {
    if (spec.stringParams === undefined) return;
    const n = spec.stringParams === true ? values.length : Math.min(spec.stringParams, values.length);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== "string") {
        if (v === undefined || v === null) this.fail("invalid value; expected string");
        this.fail(`wrong type for value; expected string; got ${typeName(v)}`);
      }
    }
  }

  /** An argument's value; `raw` keeps an invalid value as undefined (reflect.Value parameters). */
  private evalArg(dot: unknown, n: ArgNode, raw: boolean): unknown {
    this.at(n);
    let v: unknown;
    switch (n.type) {
      case "dot":
        v = dot;
        break;
      case "nil":
        return null;
      case "field":
        v = this.evalFieldNode(dot, n, [n], missing);
        break;
      case "variable":
        v = this.evalVariableNode(dot, n, [], missing);
        break;
      case "pipe":
        v = this.evalPipeline(dot, n);
        break;
      case "identifier":
        v = this.evalFunction(dot, n, n, [n], missing);
        break;
      case "chain":
        v = this.evalChainNode(dot, n, [], missing);
        break;
      case "bool":
        return n.value;
      case "string":
        return n.text;
      case "number":
        return this.constant(n);
    }
    return !raw && v === undefined ? null : v;
  }
}

const plainPrototypes = new Set<unknown>([Object.prototype, Array.prototype, Function.prototype, null]);

/**
 * A method: a function on the value's class (its prototype chain, short of Object's and Array's builtins).
 * A function stored as an own property is a plain value, as a func in a Go map or struct field is.
 */
function findMethod(receiver: unknown, name: string): ((...a: unknown[]) => unknown) | undefined {
  if (receiver === null || typeof receiver !== "object") return undefined;
  let proto = Object.getPrototypeOf(receiver) as object | null;
  while (proto !== null && !plainPrototypes.has(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (desc)
      return typeof desc.value === "function" ? (desc.value as (...a: unknown[]) => unknown) : undefined;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}

/** Go's ErrorContext: 1-based line, 0-based byte column. */
function lineCol(source: string, pos: number): [number, number] {
  const before = source.slice(0, pos);
  const nl = before.lastIndexOf("\n");
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  const col = Buffer.byteLength(before.slice(nl + 1), "utf8");
  return [line, col];
}
