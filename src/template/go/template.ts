// The engine's entry: parse Go text/template source once, execute it against data many times.

import type { ListNode } from "./ast.js";
import { execute, type MissingKey } from "./exec.js";
import { builtins, toSpec, type FuncMap, type FuncSpec } from "./funcs.js";
import { parseTemplates } from "./parser.js";

export interface GoTemplateOptions {
  /** The name errors show (Ollama uses ""). */
  name?: string;
  /** Extra functions, as template.Funcs. */
  funcs?: FuncMap;
  /** Option("missingkey=..."): what a missing map key yields. Default "invalid" (prints <no value>). */
  missingKey?: MissingKey;
}

export class GoTemplate {
  private constructor(
    readonly name: string,
    readonly source: string,
    /** Every tree by name: the main one under `name`, plus {{define}}/{{block}} ones. */
    readonly trees: Map<string, ListNode>,
    private readonly funcs: ReadonlyMap<string, FuncSpec>,
    readonly missingKey: MissingKey,
  ) {}

  /** Parses like template.New(name).Funcs(funcs).Parse(text); throws TemplateError. */
  static parse(text: string, options: GoTemplateOptions = {}): GoTemplate {
    const name = options.name ?? "";
    const funcs = mergeFuncs(options.funcs);
    const { trees } = parseTemplates(text, name, new Set(funcs.keys()));
    return new GoTemplate(name, text, trees, funcs, options.missingKey ?? "invalid");
  }

  /** The main tree (Go's t.Tree.Root). */
  get root(): ListNode {
    const root = this.trees.get(this.name);
    if (!root) throw new Error(`template ${this.name} has no tree`);
    return root;
  }

  /** Executes the main template; throws TemplateError with Go's message on failure. */
  execute(data: unknown): string {
    return execute(this.context(this.trees, this.funcs, this.missingKey), this.name, data);
  }

  /**
   * Executes a tree detached from this template, as Go's template.New("").AddParseTree does:
   * no associated templates, only builtin functions and the default missingkey unless given.
   */
  executeDetached(
    root: ListNode,
    data: unknown,
    options: { funcs?: FuncMap; missingKey?: MissingKey } = {},
  ): string {
    const trees = new Map([[this.name, root]]);
    return execute(
      this.context(trees, mergeFuncs(options.funcs), options.missingKey ?? "invalid"),
      this.name,
      data,
    );
  }

  private context(
    trees: ReadonlyMap<string, ListNode>,
    funcs: ReadonlyMap<string, FuncSpec>,
    missingKey: MissingKey,
  ) {
    return { name: this.name, source: this.source, trees, funcs, missingKey };
  }
}

function mergeFuncs(extra: FuncMap | undefined): Map<string, FuncSpec> {
  const funcs = new Map<string, FuncSpec>(Object.entries(builtins));
  for (const [k, v] of Object.entries(extra ?? {})) funcs.set(k, toSpec(v));
  return funcs;
}
