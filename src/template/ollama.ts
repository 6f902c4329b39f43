// Ollama's prompt templates (template/template.go): parsing with its function map and
// missingkey=zero, Vars() for capability checks, and Execute's three render paths
// (fill-in-the-middle, .Messages, and the legacy per-turn .System/.Prompt/.Response path).

import type { ActionNode, AnyNode, ListNode, Node, PipeNode } from "./go/ast.js";
import { TemplateError } from "./go/errors.js";
import type { FuncMap } from "./go/funcs.js";
import { GoTemplate } from "./go/template.js";
import { marshalGo } from "./gojson.js";
import { templateMessage, templateTools, toTypeScriptType } from "./ollamaValues.js";
import type { RenderValues, TemplateMessage } from "./types.js";

function localDate(offsetDays: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** template.go's FuncMap. */
export const ollamaFuncs: FuncMap = {
  json: {
    params: 1,
    fn: (v) => {
      try {
        return marshalGo(v);
      } catch {
        return ""; // Ollama ignores the marshal error and prints nothing
      }
    },
  },
  // The format argument is accepted and ignored, as in Ollama.
  currentDate: { params: 0, variadic: true, stringParams: true, fn: () => localDate(0) },
  yesterdayDate: { params: 0, variadic: true, stringParams: true, fn: () => localDate(-1) },
  toTypeScriptType: { params: 1, fn: toTypeScriptType },
};

export interface OllamaTemplate {
  /** The template text as given. */
  readonly source: string;
  /** The parsed Go template (with {{ .Response }} appended when Ollama appends it). */
  readonly template: GoTemplate;
  /** Lower-cased, sorted, de-duplicated identifiers (Ollama's Vars()): "messages", "tools", "suffix", ... */
  vars(): string[];
  /** Raw substring test on the source (Ollama's Contains). */
  contains(s: string): boolean;
  /** Capability hints from vars(): "tools" → tools, "suffix" → insert. */
  readonly usesTools: boolean;
  readonly usesSuffix: boolean;
  readonly usesMessages: boolean;
  /** Renders a prompt as Ollama's Template.Execute; throws TemplateError. */
  render(values: RenderValues): string;
}

/** Ollama's template.Parse; throws TemplateError with Go's message. */
export function parseOllamaTemplate(text: string): OllamaTemplate {
  const template = GoTemplate.parse(text, { name: "", funcs: ollamaFuncs, missingKey: "zero" });
  const initial = identifierVars(template);
  if (!initial.includes("messages") && !initial.includes("response")) {
    template.root.nodes.push(responseAction());
  }
  const vars = identifierVars(template);
  return {
    source: text,
    template,
    vars: () => [...vars],
    contains: (s) => text.includes(s),
    usesTools: vars.includes("tools"),
    usesSuffix: vars.includes("suffix"),
    usesMessages: vars.includes("messages"),
    render: (values) => execute(template, vars, values),
  };
}

/** Ollama's DefaultTemplate. */
export const defaultTemplateSource = "{{ .Prompt }}";

function responseAction(): ActionNode {
  const pipe: PipeNode = {
    type: "pipe",
    pos: 0,
    line: 0,
    isAssign: false,
    decl: [],
    cmds: [{ type: "command", pos: 0, args: [{ type: "field", pos: 0, ident: ["Response"] }] }],
  };
  return { type: "action", pos: 0, line: 0, pipe };
}

// ---- Vars / Identifiers ----

function identifierVars(t: GoTemplate): string[] {
  const names: string[] = [];
  for (const root of t.trees.values()) for (const n of root.nodes) names.push(...identifiers(n));
  return [...new Set(names.map((n) => n.toLowerCase()))].sort();
}

/** Ollama's Identifiers: field and variable names reachable through actions, branches and template calls. */
export function identifiers(n: AnyNode): string[] {
  switch (n.type) {
    case "list":
      return n.nodes.flatMap(identifiers);
    case "template":
      if (!n.pipe) throw new TemplateError("undefined template specified", "parse");
      return identifiers(n.pipe);
    case "action":
      return identifiers(n.pipe);
    case "if":
    case "range":
    case "with":
      return [...identifiers(n.pipe), ...identifiers(n.list), ...(n.elseList ? identifiers(n.elseList) : [])];
    case "pipe":
      return n.cmds.flatMap((c) => c.args.flatMap(identifiers));
    case "field":
    case "variable":
      return [...n.ident];
    default:
      return [];
  }
}

// ---- Execute ----

function execute(t: GoTemplate, vars: string[], v: RenderValues): string {
  const think = {
    Think: v.think ?? false,
    ThinkLevel: v.thinkLevel ?? "",
    IsThinkSet: v.isThinkSet ?? false,
  };
  const [system, messages] = collate(v.messages ?? []);
  if (v.prompt && v.suffix) {
    return t.execute({ Prompt: v.prompt, Suffix: v.suffix, Response: "", ...think });
  }
  if (!v.forceLegacy && vars.includes("messages")) {
    return t.execute({
      System: system,
      Messages: messages.map(templateMessage),
      Tools: templateTools(v.tools),
      Response: "",
      ...think,
    });
  }
  return executeLegacy(t, messages, think);
}

/** Runs the template once per user/assistant turn, then once more with everything after {{ .Response }} cut. */
function executeLegacy(t: GoTemplate, messages: TemplateMessage[], think: Record<string, unknown>): string {
  let out = "";
  let system = "";
  let prompt = "";
  let response = "";
  const flush = (): void => {
    out += t.execute({ System: system, Prompt: prompt, Response: response, ...think });
    system = prompt = response = "";
  };
  for (const m of messages) {
    if (m.role === "system") {
      if (prompt !== "" || response !== "") flush();
      system = m.content;
    } else if (m.role === "user") {
      if (response !== "") flush();
      prompt = m.content;
    } else if (m.role === "assistant") {
      response = m.content;
    }
  }
  const cut = cutAfterResponse(t.root);
  // Go executes the cut tree in a fresh template: no Ollama functions, no defines, default missingkey.
  out += t.executeDetached(cut, { System: system, Prompt: prompt, Response: response, ...think });
  return out;
}

/**
 * Collates messages: consecutive messages of one role (except tool) merge with a blank line between,
 * and every system message's content is also joined into the returned system text.
 */
export function collate(msgs: TemplateMessage[]): [string, TemplateMessage[]] {
  const system: string[] = [];
  const collated: TemplateMessage[] = [];
  for (const m of msgs) {
    if (m.role === "system") system.push(m.content);
    const last = collated[collated.length - 1];
    if (last && last.role === m.role && m.role !== "tool") {
      last.content += "\n\n" + m.content;
    } else {
      collated.push({ ...m });
    }
  }
  return [system.join("\n\n"), collated];
}

// ---- deleteNode: cut everything after the first .Response field ----

/**
 * A deep copy of the tree with every node after the first `.Response` field removed, walking in
 * Ollama's order (branch pipelines are not visited; a command left without arguments disappears).
 */
export function cutAfterResponse(root: ListNode): ListNode {
  const state = { cut: false };
  const copy = structuredClone(root);
  return (walkCut(copy, state) as ListNode | undefined) ?? { type: "list", pos: root.pos, nodes: [] };
}

function walkCut(n: AnyNode, state: { cut: boolean }): AnyNode | undefined {
  if (n.type === "field" && n.ident.includes("Response")) {
    state.cut = true;
    return n;
  }
  if (state.cut) return undefined;
  switch (n.type) {
    case "list":
      n.nodes = n.nodes.map((c) => walkCut(c, state)).filter((c): c is Node => c !== undefined);
      return n;
    case "if":
    case "range":
    case "with": {
      const list = walkCut(n.list, state);
      if (!list) throw new TemplateError("template: cannot cut a branch list", "exec");
      n.list = list as ListNode;
      if (n.elseList) {
        const els = walkCut(n.elseList, state);
        if (!els) throw new TemplateError("template: cannot cut a branch list", "exec");
        n.elseList = els as ListNode;
      }
      return n;
    }
    case "action": {
      const pipe = walkCut(n.pipe, state);
      if (!pipe) return undefined;
      n.pipe = pipe as PipeNode;
      return n;
    }
    case "pipe": {
      const cmds = [];
      for (const c of n.cmds) {
        const args = c.args.map((a) => walkCut(a, state)).filter((a) => a !== undefined);
        if (args.length === 0) return undefined;
        c.args = args as typeof c.args;
        cmds.push(c);
      }
      if (cmds.length === 0) return undefined;
      n.cmds = cmds;
      return n;
    }
    default:
      return n;
  }
}
