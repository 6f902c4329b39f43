// Finding where a JSON value ends in text that is still arriving: brackets are matched outside
// strings only, so a `}` inside an argument value does not end the call early. And reading a
// value once it is whole, without throwing.

/** `text` as JSON; undefined where it does not parse. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `text` as a JSON object; undefined where it does not parse or is not an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const v = parseJson(text);
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export type ScanResult = { kind: "complete"; end: number } | { kind: "incomplete" } | { kind: "invalid" };

const closerOf: Record<string, string> = { "{": "}", "[": "]" };

/**
 * Scans an object or array fed in pieces (the first piece starting with `{` or `[`). Each piece is
 * scanned once, so long arguments arriving a token at a time cost linear time.
 */
export class JsonScanner {
  private readonly stack: string[] = [];
  private inString = false;
  private escaped = false;
  /** Characters fed so far. */
  private seen = 0;

  /** `end` counts from the start of the first piece. */
  feed(piece: string): ScanResult {
    for (let i = 0; i < piece.length; i++) {
      const c = piece[i] as string;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === "\\") this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === "{" || c === "[") this.stack.push(closerOf[c] as string);
      else if (c === "}" || c === "]") {
        if (this.stack.pop() !== c) return { kind: "invalid" };
        if (this.stack.length === 0) return { kind: "complete", end: this.seen + i + 1 };
      } else if (this.stack.length === 0) return { kind: "invalid" };
    }
    this.seen += piece.length;
    return { kind: "incomplete" };
  }
}

/** Scans the object or array at the start of `text` in one go. */
export function scanJsonValue(text: string): ScanResult {
  return new JsonScanner().feed(text);
}

export type Verdict = "yes" | "no" | "maybe";

/**
 * Whether the text at `start` can still become a tool call: an object whose first key is a
 * string, or an array of objects. Rules out prose like "[1]" or "{x}" without waiting for the end.
 */
export function couldBeCalls(text: string, start: number): Verdict {
  let i = start;
  const expect: string[] = [];
  while (i < text.length) {
    const c = text[i] as string;
    i++;
    if (/\s/u.test(c)) continue;
    if (expect.length === 0) {
      if (c === "{") expect.push('"', "}");
      else if (c === "[") expect.push("{", "]");
      else return "no";
      continue;
    }
    if (!expect.includes(c)) return "no";
    // An array's first element must itself look like an object.
    if (c === "{" && expect.includes("]")) {
      expect.length = 0;
      expect.push('"', "}");
      continue;
    }
    return "yes";
  }
  return "maybe";
}
