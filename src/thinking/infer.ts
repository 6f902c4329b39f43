// Ollama's thinking.InferTags: the text around `.Thinking` inside a range over .Messages is taken
// to be the tags the model writes its thinking between.

import { parseOllamaTemplate, type AnyNode, type ListNode, type BranchNode } from "../template/index.js";

export interface ThinkingTags {
  open: string;
  close: string;
}

/**
 * Tags inferred from a template (source text or parsed tree); empty strings where none are found,
 * as Ollama returns. A template that does not parse has no tags.
 */
export function inferThinkingTags(template: string | ListNode): ThinkingTags {
  let root: ListNode;
  if (typeof template === "string") {
    try {
      root = parseOllamaTemplate(template).template.root;
    } catch {
      return { open: "", close: "" };
    }
  } else {
    root = template;
  }
  const tags: ThinkingTags = { open: "", close: "" };
  visit(root, [], tags);
  return tags;
}

function visit(node: AnyNode, ancestors: AnyNode[], tags: ThinkingTags): void {
  ancestors.push(node);
  if (node.type === "field" && node.ident[0] === "Thinking") noteThinking(ancestors, tags);
  for (const child of children(node)) visit(child, ancestors, tags);
  ancestors.pop();
}

function children(node: AnyNode): AnyNode[] {
  switch (node.type) {
    case "list":
      return node.nodes;
    case "if":
    case "range":
    case "with":
      return [node.pipe, node.list, ...(node.elseList ? [node.elseList] : [])];
    case "action":
      return [node.pipe];
    case "template":
      return node.pipe ? [node.pipe] : [];
    case "pipe":
      return node.cmds;
    case "command":
      return node.args;
    default:
      return [];
  }
}

// Later matches overwrite earlier ones, and a list that does not start (or end) with text
// leaves the earlier tag in place: both as Ollama's walk behaves.
function noteThinking(ancestors: AnyNode[], tags: ThinkingTags): void {
  const range = findLast(ancestors, (n): n is BranchNode => n.type === "range");
  if (!range || !usesField(range, "Messages")) return;
  const list = findLast(ancestors, (n): n is ListNode => n.type === "list");
  if (!list) return;
  const first = list.nodes[0];
  const last = list.nodes[list.nodes.length - 1];
  if (first?.type === "text") tags.open = first.text.trim();
  if (last?.type === "text") tags.close = last.text.trim();
}

function usesField(range: BranchNode, field: string): boolean {
  let found = false;
  const walk = (n: AnyNode): void => {
    if (n.type === "field" && n.ident[0] === field) found = true;
    for (const c of children(n)) walk(c);
  };
  walk(range.pipe);
  return found;
}

function findLast<T extends AnyNode>(nodes: AnyNode[], pred: (n: AnyNode) => n is T): T | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n && pred(n)) return n;
  }
  return undefined;
}
