// A port of the behaviour of Ollama's Modelfile parser (parser/parser.go): a rune-by-rune state
// machine. Its quirks are kept on purpose (e.g. a value ends only at a newline once its quotes
// balance), so a Modelfile accepted by Ollama gives the same commands here and vice versa.

export interface Command {
  /** "model" for FROM, the lower-cased instruction otherwise, or the parameter name as written. */
  name: string;
  /** For MESSAGE: "role: content", as Ollama stores it. */
  args: string;
}

export interface Modelfile {
  commands: Command[];
}

export const INSTRUCTIONS = [
  "from",
  "license",
  "template",
  "system",
  "adapter",
  "draft",
  "renderer",
  "parser",
  "parameter",
  "message",
  "requires",
] as const;

export const MESSAGE_ROLES = ["system", "user", "assistant"] as const;

export const ERR_MISSING_FROM = "no FROM line";
export const ERR_INVALID_MESSAGE_ROLE = 'message role must be one of "system", "user", or "assistant"';
export const ERR_INVALID_COMMAND = `command must be one of ${quoteList(INSTRUCTIONS, "or")}`;
export const ERR_UNEXPECTED_EOF = "unexpected EOF";

function quoteList(items: readonly string[], conj: string): string {
  const q = items.map((s) => `"${s}"`);
  return `${q.slice(0, -1).join(", ")}, ${conj} ${q[q.length - 1] ?? ""}`;
}

/**
 * Ollama reports some errors with "(line N): " and some without; tollama always knows the line,
 * so it always prefixes it, keeping Ollama's wording after the prefix.
 */
export class ModelfileError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
  ) {
    super(line > 0 ? `(line ${line}): ${reason}` : reason);
    this.name = "ModelfileError";
  }
}

const enum State {
  Nil,
  Name,
  Value,
  Parameter,
  Message,
  Comment,
}

const isAlpha = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isSpace = (c: string): boolean => c === " " || c === "\t";
const isNewline = (c: string): boolean => c === "\r" || c === "\n";
// Go's strconv.IsPrint: what Ollama keeps in a value; other runes (controls, format characters,
// non-ASCII spaces) are silently dropped unless they are separators.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const isPrint = (c: string): boolean => PRINTABLE.test(c);

export function isValidInstruction(s: string): boolean {
  return (INSTRUCTIONS as readonly string[]).includes(s.toLowerCase());
}

function isValidRole(s: string): boolean {
  return (MESSAGE_ROLES as readonly string[]).includes(s);
}

/** Strips one level of `"""` or `"` quotes; ok is false when the quotes don't close. */
export function unquote(s: string): { value: string; ok: boolean } {
  if (s.startsWith('"""')) {
    if (s.length >= 6 && s.endsWith('"""')) return { value: s.slice(3, -3), ok: true };
    return { value: "", ok: false };
  }
  if (s.startsWith('"')) {
    if (s.length >= 2 && s.endsWith('"')) return { value: s.slice(1, -1), ok: true };
    return { value: "", ok: false };
  }
  return { value: s, ok: true };
}

type Step = { next: State; keep: string } | { error: "eof" | "command" };

function step(c: string, state: State): Step {
  switch (state) {
    case State.Nil:
      if (c === "#") return { next: State.Comment, keep: "" };
      if (isSpace(c) || isNewline(c)) return { next: State.Nil, keep: "" };
      return { next: State.Name, keep: c };
    case State.Name:
      if (isAlpha(c)) return { next: State.Name, keep: c };
      if (isSpace(c)) return { next: State.Value, keep: "" };
      return { error: "command" };
    case State.Value:
      if (isNewline(c) || isSpace(c)) return { next: State.Nil, keep: c };
      return { next: State.Value, keep: c };
    case State.Parameter:
      if (isAlpha(c) || isDigit(c) || c === "_") return { next: State.Parameter, keep: c };
      if (isSpace(c)) return { next: State.Value, keep: "" };
      return { error: "eof" };
    case State.Message:
      if (isAlpha(c)) return { next: State.Message, keep: c };
      if (isSpace(c)) return { next: State.Value, keep: "" };
      return { error: "eof" };
    case State.Comment:
      if (isNewline(c)) return { next: State.Nil, keep: "" };
      return { next: State.Comment, keep: "" };
  }
}

/** Parses Modelfile text (already decoded; see decodeModelfile for bytes). Throws ModelfileError. */
export function parseModelfile(text: string): Modelfile {
  const commands: Command[] = [];
  let state = State.Nil;
  let buf = "";
  let line = 1;
  let name = "";
  let role = "";
  // Where the pending value began, so an unterminated string can point at its start.
  let valueLine = 1;
  let prev = "";

  for (const c of stripBom(text)) {
    // "\r\n" counts as one line break (Ollama counts two).
    const lineOfChar = line;
    if (c === "\n" ? prev !== "\r" : c === "\r") line++;
    prev = c;

    const r = step(c, state);
    if ("error" in r) {
      if (r.error === "command") throw new ModelfileError(ERR_INVALID_COMMAND, lineOfChar);
      throw new ModelfileError(`${ERR_UNEXPECTED_EOF}: ${buf}`, lineOfChar);
    }
    let next = r.next;
    const keep = r.keep;

    if (next !== state) {
      switch (state) {
        case State.Name: {
          if (!isValidInstruction(buf)) throw new ModelfileError(ERR_INVALID_COMMAND, lineOfChar);
          const s = buf.toLowerCase();
          if (s === "from") name = "model";
          else if (s === "parameter") next = State.Parameter;
          else if (s === "message") {
            next = State.Message;
            name = s;
          } else name = s;
          valueLine = lineOfChar;
          break;
        }
        case State.Parameter:
          name = buf;
          break;
        case State.Message:
          if (!isValidRole(buf)) throw new ModelfileError(ERR_INVALID_MESSAGE_ROLE, lineOfChar);
          role = buf;
          break;
        case State.Value: {
          const u = unquote(buf.trim());
          // The value goes on through separators until its quotes balance and a newline comes.
          if (!u.ok || isSpace(keep)) {
            buf += keep;
            continue;
          }
          commands.push({ name, args: role ? `${role}: ${u.value}` : u.value });
          role = "";
          break;
        }
        default:
          break;
      }
      buf = "";
      state = next;
    }
    if (keep !== "" && isPrint(keep)) buf += keep;
  }

  switch (state) {
    case State.Nil:
    case State.Comment:
      break;
    case State.Value: {
      const u = unquote(buf.trim());
      if (!u.ok) throw new ModelfileError(unterminated(buf.trim()), valueLine);
      commands.push({ name, args: role ? `${role}: ${u.value}` : u.value });
      break;
    }
    default:
      throw new ModelfileError(ERR_UNEXPECTED_EOF, line);
  }

  if (!commands.some((c) => c.name === "model")) throw new ModelfileError(ERR_MISSING_FROM, 0);
  return { commands };
}

function unterminated(value: string): string {
  const kind = value.startsWith('"""') ? "multi-line string" : "quoted string";
  return `${ERR_UNEXPECTED_EOF}: unterminated ${kind}`;
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Decodes Modelfile bytes as Ollama does: UTF-8, or UTF-16 (LE/BE) when a BOM says so. */
export function decodeModelfile(bytes: Uint8Array): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (b0 === 0xfe && b1 === 0xff) {
    const swapped = new Uint8Array(bytes.length - 2);
    for (let i = 2; i + 1 < bytes.length; i += 2) {
      swapped[i - 2] = bytes[i + 1] ?? 0;
      swapped[i - 1] = bytes[i] ?? 0;
    }
    return new TextDecoder("utf-16le").decode(swapped);
  }
  return stripBom(new TextDecoder("utf-8").decode(bytes));
}
