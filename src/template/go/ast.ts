// The parse tree, shaped like Go's text/template/parse nodes so that code ported from Ollama
// (Vars/Identifiers, the thinking and tool-tag inference) can walk it the same way.
// `{{else if}}` is stored as Go stores it: an else list holding a single nested if node.

export interface NodeBase {
  /** Offset of the node in the template source (UTF-16 index). */
  pos: number;
}

export interface ListNode extends NodeBase {
  type: "list";
  nodes: Node[];
}
export interface TextNode extends NodeBase {
  type: "text";
  text: string;
}
export interface ActionNode extends NodeBase {
  type: "action";
  line: number;
  pipe: PipeNode;
}
export interface BranchNode extends NodeBase {
  type: "if" | "range" | "with";
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}
export interface TemplateNode extends NodeBase {
  type: "template";
  line: number;
  name: string;
  pipe?: PipeNode;
}
export interface BreakNode extends NodeBase {
  type: "break" | "continue";
  line: number;
}
export interface PipeNode extends NodeBase {
  type: "pipe";
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends NodeBase {
  type: "command";
  args: ArgNode[];
}
export interface FieldNode extends NodeBase {
  type: "field";
  ident: string[];
}
export interface VariableNode extends NodeBase {
  type: "variable";
  ident: string[];
}
export interface ChainNode extends NodeBase {
  type: "chain";
  node: ArgNode;
  field: string[];
}
export interface IdentifierNode extends NodeBase {
  type: "identifier";
  ident: string;
}
export interface DotNode extends NodeBase {
  type: "dot";
}
export interface NilNode extends NodeBase {
  type: "nil";
}
export interface BoolNode extends NodeBase {
  type: "bool";
  value: boolean;
}
export interface StringNode extends NodeBase {
  type: "string";
  /** The quoted source text, as written. */
  quoted: string;
  text: string;
}
export interface NumberNode extends NodeBase {
  type: "number";
  text: string;
  isInt: boolean;
  isFloat: boolean;
  value: number;
}

export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | StringNode
  | NumberNode
  | PipeNode;

export type Node = ListNode | TextNode | ActionNode | BranchNode | TemplateNode | BreakNode;
export type AnyNode = Node | ArgNode | CommandNode;

/** Go's Node.String(): the node written back as template source (used in error messages). */
export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return n.text;
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "range":
    case "with": {
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : "";
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
    }
    case "template":
      return n.pipe
        ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}`
        : `{{template ${JSON.stringify(n.name)}}}`;
    case "break":
    case "continue":
      return `{{${n.type}}}`;
    case "pipe":
      return pipeString(n);
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "field":
      return n.ident.map((i) => "." + i).join("");
    case "variable":
      return n.ident.join(".");
    case "chain": {
      const inner = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => "." + f).join("");
    }
    case "identifier":
      return n.ident;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "string":
      return n.quoted;
    case "number":
      return n.text;
  }
}

function pipeString(p: PipeNode): string {
  let s = "";
  if (p.decl.length > 0) s = p.decl.map((d) => d.ident.join(".")).join(", ") + (p.isAssign ? " = " : " := ");
  return s + p.cmds.map(nodeString).join(" | ");
}
