// Ollama's tools.parseTag: the first text the template writes inside its `{{if .ToolCalls}}` block,
// cut before any `{`, is what the model writes before its calls. "{" means bare JSON.

import {
  parseOllamaTemplate,
  type BranchNode,
  type ListNode,
  type Node,
  type TextNode,
} from "../template/index.js";

export const bareJsonTag = "{";

/** The tool-call tag of a template given as source text or as its parsed tree. */
export function toolCallTag(template: string | ListNode): string {
  let root: ListNode;
  if (typeof template === "string") {
    try {
      root = parseOllamaTemplate(template).template.root;
    } catch {
      return bareJsonTag;
    }
  } else {
    root = template;
  }
  const block = findToolCallsIf(root.nodes);
  const text = block ? firstText(block.list.nodes) : undefined;
  if (!text) return bareJsonTag;
  const beforeBrace = text.text.replace(/\r\n/g, "\n").split("{")[0] ?? "";
  return beforeBrace.trim() || bareJsonTag;
}

function isBranch(n: Node): n is BranchNode {
  return n.type === "if" || n.type === "range" || n.type === "with";
}

function mentionsToolCalls(n: BranchNode): boolean {
  return n.pipe.cmds.some((cmd) => cmd.args.some((a) => a.type === "field" && a.ident.includes("ToolCalls")));
}

function findToolCallsIf(nodes: Node[]): BranchNode | undefined {
  for (const n of nodes) {
    if (n.type === "list") {
      const found = findToolCallsIf(n.nodes);
      if (found) return found;
      continue;
    }
    if (!isBranch(n)) continue;
    if (n.type === "if" && mentionsToolCalls(n)) return n;
    const found =
      findToolCallsIf(n.list.nodes) ?? (n.elseList ? findToolCallsIf(n.elseList.nodes) : undefined);
    if (found) return found;
  }
  return undefined;
}

// Depth-first, but a nested block or an action ends the search: text after them is not what
// immediately precedes the calls.
function firstText(nodes: Node[]): TextNode | undefined {
  for (const n of nodes) {
    if (n.type === "text") {
      if (n.text.trim() !== "") return n;
      continue;
    }
    if (n.type === "list") {
      const found = firstText(n.nodes);
      if (found) return found;
      continue;
    }
    if (isBranch(n)) return firstText(n.list.nodes) ?? (n.elseList ? firstText(n.elseList.nodes) : undefined);
    if (n.type === "action") return undefined;
  }
  return undefined;
}
