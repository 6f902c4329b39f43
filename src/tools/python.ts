// Python-style tool calls: Llama 3.x's built-in form after <|python_tag|> (`brave_search.call(query="x")`)
// and the "pythonic" list Llama 3.2/4 and LFM2 write (`[get_weather(city="Paris"), get_time()]`).
// Arguments are Python literals: strings (any quoting), numbers, True/False/None, lists, tuples, dicts.

import type { CallCandidate, Extracted } from "./extract.js";
import type { ScanResult, Verdict } from "./jsonscan.js";
import type { ToolLike } from "./types.js";

const identStart = /[A-Za-z_]/u;
const identChar = /[\w.]/u;
const space = /\s/u;

/**
 * Finds where a Python call (`name(...)`) or list of calls (`[...]`) ends in text still arriving.
 * Brackets count outside strings only. Text accumulates here and is scanned once, except a quote at
 * the end of a piece, which waits for the next characters to tell '' from '''.
 */
export class PyScanner {
  private text = "";
  private i = 0;
  private readonly stack: string[] = [];
  private started = false;
  /** The open string's quote ("'", '"', "'''" or '"""'), if inside one. */
  private quote = "";

  feed(piece: string): ScanResult {
    this.text += piece;
    const t = this.text;
    while (this.i < t.length) {
      const c = t[this.i] as string;
      if (this.quote) {
        if (c === "\\") {
          if (this.i + 1 >= t.length) return { kind: "incomplete" };
          this.i += 2;
          continue;
        }
        if (t.startsWith(this.quote, this.i)) {
          this.i += this.quote.length;
          this.quote = "";
        } else if (
          this.quote.length === 3 &&
          t.length - this.i < 3 &&
          this.quote.startsWith(t.slice(this.i))
        ) {
          return { kind: "incomplete" };
        } else {
          if (this.quote.length === 1 && c === "\n") return { kind: "invalid" };
          this.i++;
        }
        continue;
      }
      if (c === "'" || c === '"') {
        if (t.length - this.i < 3) return { kind: "incomplete" };
        this.quote = t.startsWith(c.repeat(3), this.i) ? c.repeat(3) : c;
        this.i += this.quote.length;
        continue;
      }
      this.i++;
      if (c === "(" || c === "[" || c === "{") {
        this.stack.push(c === "(" ? ")" : c === "[" ? "]" : "}");
        this.started = true;
      } else if (c === ")" || c === "]" || c === "}") {
        if (this.stack.pop() !== c) return { kind: "invalid" };
        if (this.stack.length === 0) return { kind: "complete", end: this.i };
      } else if (!this.started && !identChar.test(c) && !space.test(c)) return { kind: "invalid" };
    }
    return { kind: "incomplete" };
  }
}

/** The tool a written name calls: the name itself, or Llama's `name.call`. */
function toolFor(name: string, tools: ReadonlyMap<string, ToolLike>): ToolLike | undefined {
  return tools.get(name) ?? (name.endsWith(".call") ? tools.get(name.slice(0, -5)) : undefined);
}

/**
 * Whether text at `start` can become Python calls: `[` then a tool name then `(`, or with `bare`
 * (after a marker) the name directly. Waits only while the name so far could still be a tool's.
 */
export function couldBePythonCalls(
  text: string,
  start: number,
  tools: ReadonlyMap<string, ToolLike>,
  bare: boolean,
): Verdict {
  let i = start;
  while (i < text.length && space.test(text[i] as string)) i++;
  if (i >= text.length) return "maybe";
  if (text[i] === "[") {
    i++;
    while (i < text.length && space.test(text[i] as string)) i++;
    if (i >= text.length) return "maybe";
  } else if (!bare) return "no";
  if (!identStart.test(text[i] as string)) return "no";
  const nameStart = i;
  while (i < text.length && identChar.test(text[i] as string)) i++;
  const name = text.slice(nameStart, i);
  if (i >= text.length) {
    const couldGrow = [...tools.keys()].some((t) => t.startsWith(name) || `${t}.call`.startsWith(name));
    return couldGrow ? "maybe" : "no";
  }
  while (i < text.length && space.test(text[i] as string)) i++;
  if (i >= text.length) return toolFor(name, tools) ? "maybe" : "no";
  return text[i] === "(" && toolFor(name, tools) ? "yes" : "no";
}

/** The calls in a complete scanned text; undefined unless every call is a valid call of a known tool. */
export function parsePythonCalls(raw: string, tools: ReadonlyMap<string, ToolLike>): Extracted | undefined {
  const p = new PyParser(raw);
  try {
    const written = p.calls();
    const calls: CallCandidate[] = [];
    for (const w of written) {
      const tool = toolFor(w.name, tools);
      if (!tool) return undefined;
      const args = bindArguments(tool, w);
      if (!args) return undefined;
      calls.push({ name: tool.function.name, arguments: args });
    }
    return calls.length > 0 ? { calls, rejected: [] } : undefined;
  } catch {
    return undefined;
  }
}

interface WrittenCall {
  name: string;
  positional: unknown[];
  keywords: [string, unknown][];
}

/** Keyword arguments as written; positional ones take the tool's parameter names in schema order. */
function bindArguments(tool: ToolLike, call: WrittenCall): Record<string, unknown> | undefined {
  const props = tool.function.parameters?.properties;
  const params = props instanceof Map ? [...props.keys()] : Object.keys(props ?? {});
  if (call.positional.length > params.length) return undefined;
  const args: Record<string, unknown> = {};
  call.positional.forEach((v, i) => (args[params[i] as string] = v));
  for (const [k, v] of call.keywords) {
    if (Object.hasOwn(args, k)) return undefined;
    args[k] = v;
  }
  return args;
}

const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", b: "\b", f: "\f", v: "\v" };

/** Recursive descent over Python call syntax; throws on anything else. */
class PyParser {
  private i = 0;
  constructor(private readonly s: string) {}

  calls(): WrittenCall[] {
    this.ws();
    const out: WrittenCall[] = [];
    if (this.eat("[")) {
      this.list("]", () => out.push(this.call()));
    } else out.push(this.call());
    this.ws();
    if (this.i !== this.s.length) throw new Error("trailing text");
    return out;
  }

  private call(): WrittenCall {
    this.ws();
    const name = this.ident(true);
    this.ws();
    this.expect("(");
    const call: WrittenCall = { name, positional: [], keywords: [] };
    this.list(")", () => {
      const save = this.i;
      if (identStart.test(this.peek())) {
        const key = this.ident(false);
        this.ws();
        if (this.eat("=")) {
          call.keywords.push([key, this.value()]);
          return;
        }
        this.i = save;
      }
      if (call.keywords.length > 0) throw new Error("positional argument after keyword");
      call.positional.push(this.value());
    });
    return call;
  }

  /** Comma-separated items up to `close` (a trailing comma allowed). */
  private list(close: string, item: () => void): void {
    this.ws();
    if (this.eat(close)) return;
    for (;;) {
      item();
      this.ws();
      if (this.eat(close)) return;
      this.expect(",");
      this.ws();
      if (this.eat(close)) return;
    }
  }

  private value(): unknown {
    this.ws();
    const c = this.peek();
    if (c === "'" || c === '"') return this.string();
    if (/[rRbBuU]/u.test(c) && /['"]/u.test(this.s[this.i + 1] ?? "")) {
      this.i++;
      return this.string(c === "r" || c === "R");
    }
    if (c === "[" || c === "(") {
      this.i++;
      const items: unknown[] = [];
      this.list(c === "[" ? "]" : ")", () => items.push(this.value()));
      return items;
    }
    if (c === "{") {
      this.i++;
      const obj: Record<string, unknown> = {};
      this.list("}", () => {
        const k = this.value();
        this.ws();
        this.expect(":");
        obj[typeof k === "string" ? k : JSON.stringify(k)] = this.value();
      });
      return obj;
    }
    const num = /^[-+]?(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/u.exec(
      this.s.slice(this.i),
    );
    if (num) {
      this.i += num[0].length;
      return Number(num[0].replace(/_/gu, ""));
    }
    const word = this.ident(false);
    const constants: Record<string, unknown> = {
      True: true,
      False: false,
      None: null,
      true: true,
      false: false,
      null: null,
    };
    if (Object.hasOwn(constants, word)) return constants[word];
    throw new Error(`unexpected ${word}`);
  }

  private string(raw = false): string {
    const q = this.s.startsWith(this.peek().repeat(3), this.i) ? this.peek().repeat(3) : this.peek();
    this.i += q.length;
    let out = "";
    while (!this.s.startsWith(q, this.i)) {
      if (this.i >= this.s.length) throw new Error("unterminated string");
      const c = this.s[this.i++] as string;
      if (c !== "\\" || raw) {
        out += c;
        continue;
      }
      const e = this.s[this.i++] ?? "";
      const hex = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
      if (hex) {
        out += String.fromCodePoint(parseInt(this.s.slice(this.i, this.i + hex), 16));
        this.i += hex;
      } else if (e === "\n") continue;
      else out += escapes[e] ?? (e === "\\" || e === "'" || e === '"' ? e : "\\" + e);
    }
    this.i += q.length;
    return out;
  }

  private ident(dotted: boolean): string {
    const m = (dotted ? /^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*/u : /^[A-Za-z_]\w*/u).exec(this.s.slice(this.i));
    if (!m) throw new Error("expected a name");
    this.i += m[0].length;
    return m[0];
  }

  private peek(): string {
    return this.s[this.i] ?? "";
  }
  private ws(): void {
    while (space.test(this.peek())) this.i++;
  }
  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.i++;
    return true;
  }
  private expect(c: string): void {
    if (!this.eat(c)) throw new Error(`expected ${c}`);
  }
}
