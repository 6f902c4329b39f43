// Go text/template's parser: tokens to a tree per template name ({{define}} and {{block}} add more),
// with Go's checks at parse time: known functions, declared variables, break/continue inside range.

import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./ast.js";
import { nodeString } from "./ast.js";
import { TemplateError } from "./errors.js";
import { lex, type Token } from "./lexer.js";
import { unquote } from "./unquote.js";

export interface ParsedTemplates {
  /** Trees by template name; the main one is under the name given to parse. */
  trees: Map<string, ListNode>;
}

/** An end or else marker returned from the item list to its control structure. */
interface Marker {
  type: "end" | "else";
  pos: number;
  line: number;
}

export function parseTemplates(text: string, name: string, funcs: ReadonlySet<string>): ParsedTemplates {
  const trees = new Map<string, ListNode>();
  const parser = new Parser(lex(text), name, funcs, trees);
  const root = parser.parseMain();
  addTree(trees, name, root, parser);
  return { trees };
}

function isEmptyTree(n: Node): boolean {
  if (n.type === "list") return n.nodes.every(isEmptyTree);
  if (n.type === "text") return n.text.trim() === "";
  return false;
}

function addTree(trees: Map<string, ListNode>, name: string, root: ListNode, p: Parser): void {
  const old = trees.get(name);
  if (old === undefined || isEmptyTree(old)) {
    trees.set(name, root);
    return;
  }
  if (!isEmptyTree(root)) p.fail(`template: multiple definition of template ${JSON.stringify(name)}`);
}

const argStarts = new Set([
  "bool",
  "charConstant",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

class Parser {
  private i = 0;
  private lastLine = 1;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly name: string,
    private readonly funcs: ReadonlySet<string>,
    private readonly trees: Map<string, ListNode>,
  ) {}

  // ---- token stream ----

  private next(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1];
    if (!t) throw new Error("empty token stream");
    if (this.i < this.tokens.length - 1) this.i++;
    else this.i = this.tokens.length;
    this.lastLine = t.line;
    return t;
  }

  private backup(n = 1): void {
    this.i -= n;
  }

  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === "space") t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // ---- errors ----

  fail(message: string): never {
    throw new TemplateError(`template: ${this.name}:${this.lastLine}: ${message}`, "parse");
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === "error") {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.name}:${this.actionLine}`;
        if (t.value.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.fail(t.value + extra);
    }
    this.fail(`unexpected ${tokenString(t)} in ${context}`);
  }

  private expect(type: Token["type"], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  // ---- structure ----

  parseMain(): ListNode {
    const root: ListNode = { type: "list", pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        const save = this.i;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === "keyword" && t.value === "define") {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if ("marker" in n) this.fail(`unexpected ${markerString(n.marker)}`);
      root.nodes.push(n);
    }
    return root;
  }

  private parseDefinition(): void {
    const context = "define clause";
    const t = this.nextNonSpace();
    if (t.type !== "string" && t.type !== "rawString") this.unexpected(t, context);
    const name = this.unquoteToken(t);
    this.expect("rightDelim", context);
    const saved = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    this.vars = saved;
    if (end.type !== "end") this.fail(`unexpected ${markerString(end)} in ${context}`);
    addTree(this.trees, name, list, this);
  }

  private itemList(): [ListNode, Marker] {
    const list: ListNode = { type: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if ("marker" in n) return [list, n.marker];
      list.nodes.push(n);
    }
    this.fail("unexpected EOF");
  }

  private textOrAction(): Node | { marker: Marker } {
    const t = this.nextNonSpace();
    if (t.type === "text") return { type: "text", pos: t.pos, text: t.value };
    if (t.type === "leftDelim") {
      this.actionLine = t.line;
      try {
        return this.action();
      } finally {
        this.actionLine = 0;
      }
    }
    this.unexpected(t, "input");
  }

  private action(): Node | { marker: Marker } {
    const t = this.nextNonSpace();
    if (t.type === "keyword") {
      switch (t.value) {
        case "block":
          return this.blockControl();
        case "break":
        case "continue":
          return this.breakControl(t);
        case "else":
          return { marker: this.elseControl() };
        case "end":
          return { marker: { type: "end", pos: this.expect("rightDelim", "end").pos, line: t.line } };
        case "if":
        case "range":
        case "with":
          return this.branchControl(t.value);
        case "template":
          return this.templateControl();
      }
    }
    this.backup();
    const start = this.peek();
    return { type: "action", pos: start.pos, line: start.line, pipe: this.pipeline("command", "rightDelim") };
  }

  private breakControl(t: Token): Node {
    const next = this.nextNonSpace();
    if (next.type !== "rightDelim") this.unexpected(next, `{{${t.value}}}`);
    if (this.rangeDepth === 0) this.fail(`{{${t.value}}} outside {{range}}`);
    return { type: t.value as "break" | "continue", pos: t.pos, line: t.line };
  }

  private elseControl(): Marker {
    const peek = this.peekNonSpace();
    if (peek.type === "keyword" && (peek.value === "if" || peek.value === "with")) {
      return { type: "else", pos: peek.pos, line: peek.line };
    }
    const t = this.expect("rightDelim", "else");
    return { type: "else", pos: t.pos, line: t.line };
  }

  private branchControl(context: "if" | "range" | "with"): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, "rightDelim");
      if (context === "range") this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === "else") {
        const peek = this.peek();
        if ((context === "if" || context === "with") && peek.type === "keyword" && peek.value === context) {
          // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}}; the inner if consumes the shared {{end}}.
          this.next();
          elseList = { type: "list", pos: next.pos, nodes: [this.branchControl(context)] };
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== "end") this.fail(`expected end; found ${markerString(next)}`);
        }
      }
      const node: BranchNode = { type: context, pos: pipe.pos, line: pipe.line, pipe, list };
      if (elseList) node.elseList = elseList;
      return node;
    } finally {
      this.vars.length = mark;
    }
  }

  private templateControl(): TemplateNode {
    const context = "template clause";
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const node: TemplateNode = { type: "template", pos: t.pos, line: t.line, name };
    if (this.nextNonSpace().type !== "rightDelim") {
      this.backup();
      node.pipe = this.pipeline(context, "rightDelim");
    }
    return node;
  }

  private blockControl(): TemplateNode {
    const context = "block clause";
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, "rightDelim");
    const saved = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    this.vars = saved;
    if (end.type !== "end") this.fail(`unexpected ${markerString(end)} in ${context}`);
    addTree(this.trees, name, list, this);
    return { type: "template", pos: t.pos, line: t.line, name, pipe };
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== "string" && t.type !== "rawString") this.unexpected(t, context);
    return this.unquoteToken(t);
  }

  private unquoteToken(t: Token): string {
    try {
      return unquote(t.value);
    } catch {
      this.fail(`invalid syntax`);
    }
  }

  // ---- pipelines ----

  private pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      type: "pipe",
      pos: first.pos,
      line: first.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!argStarts.has(t.type)) this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  /** `$x :=`, `$x =` and range's `$i, $v :=` at the start of a pipeline. */
  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") return;
      const vIndex = this.tokens.indexOf(v);
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        pipe.isAssign = next.type === "assign";
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.value] });
        this.vars.push(v.value);
        return;
      }
      if (next.type === "char" && next.value === ",") {
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.value] });
        this.vars.push(v.value);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace();
          if (after.type === "variable" || after.type === "rightDelim" || after.type === "rightParen")
            continue;
          this.fail("range can only initialize variables");
        }
        this.fail(`too many declarations in ${context}`);
      }
      this.i = vIndex;
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.fail(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === "space") continue;
      if (t.type === "rightDelim" || t.type === "rightParen") this.backup();
      else if (t.type !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail("empty command");
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== "field") return node;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().value.slice(1));
    switch (node.type) {
      case "field":
        return { type: "field", pos: node.pos, ident: [...node.ident, ...fields] };
      case "variable":
        return { type: "variable", pos: node.pos, ident: [...node.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.fail(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      // falls through (fail never returns)
      default:
        return { type: "chain", pos: node.pos, node, field: fields };
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "identifier":
        if (!this.funcs.has(t.value)) this.fail(`function ${JSON.stringify(t.value)} not defined`);
        return { type: "identifier", pos: t.pos, ident: t.value };
      case "dot":
        return { type: "dot", pos: t.pos };
      case "nil":
        return { type: "nil", pos: t.pos };
      case "variable":
        return this.useVar(t);
      case "field":
        return { type: "field", pos: t.pos, ident: [t.value.slice(1)] };
      case "bool":
        return { type: "bool", pos: t.pos, value: t.value === "true" };
      case "charConstant":
      case "number":
        return this.number(t);
      case "leftParen":
        return this.pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString":
        return { type: "string", pos: t.pos, quoted: t.value, text: this.unquoteToken(t) };
    }
    this.backup();
    return undefined;
  }

  private useVar(t: Token): VariableNode {
    const v: VariableNode = { type: "variable", pos: t.pos, ident: [t.value] };
    if (!this.vars.includes(t.value)) this.fail(`undefined variable ${JSON.stringify(t.value)}`);
    return v;
  }

  private number(t: Token): NumberNode {
    if (t.type === "charConstant") {
      let ch: string;
      try {
        ch = unquote(t.value);
      } catch {
        this.fail(`malformed character constant: ${t.value}`);
      }
      const cp = ch.codePointAt(0) ?? 0;
      return { type: "number", pos: t.pos, text: t.value, isInt: true, isFloat: true, value: cp };
    }
    const parsed = parseGoNumber(t.value);
    if (!parsed) this.fail(`illegal number syntax: ${JSON.stringify(t.value)}`);
    return { type: "number", pos: t.pos, text: t.value, ...parsed };
  }
}

/** Go's number literal rules, without complex numbers. */
export function parseGoNumber(text: string): { isInt: boolean; isFloat: boolean; value: number } | undefined {
  if (text.endsWith("i")) return undefined;
  const clean = text.replace(/_/g, "");
  const sign = clean.startsWith("-") ? -1 : 1;
  const body = clean.replace(/^[+-]/, "");
  let intValue: number | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) intValue = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) intValue = parseInt(body.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(body)) intValue = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) intValue = parseInt(body.slice(1), 8);
  else if (/^[0-9]+$/.test(body)) intValue = parseInt(body, 10);
  if (intValue !== undefined) return { isInt: true, isFloat: true, value: sign * intValue };
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    return { isInt: false, isFloat: true, value: sign * Number(body) };
  }
  return undefined;
}

function tokenString(t: Token): string {
  if (t.type === "eof") return "EOF";
  if (t.type === "error") return t.value;
  if (t.type === "keyword" || t.type === "nil" || t.type === "dot") return `<${t.value}>`;
  const runes = Array.from(t.value);
  if (runes.length > 10) return JSON.stringify(runes.slice(0, 10).join("")) + "...";
  return JSON.stringify(t.value);
}

function markerString(m: Marker): string {
  return `{{${m.type}}}`;
}
