import { goQuote } from "../../util/goquote.js";

export { goQuote };
// Error types shared by the wire decoders. Every message here must match the
// text a Go/gin Ollama server would put in its {"error": ...} body.

/** An HTTP error the route layer can send as `{"error": message}` verbatim. */
export class WireError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "WireError";
    this.status = status;
  }
}

/** Go's *json.UnmarshalTypeError; Struct/Field get filled in as it bubbles up. */
export class GoTypeError extends Error {
  struct = "";
  field = "";
  constructor(
    readonly value: string,
    readonly goType: string,
  ) {
    // No message argument: Error would store an own property shadowing the getter.
    super();
    this.name = "GoTypeError";
  }
  override get message(): string {
    if (this.struct !== "" || this.field !== "") {
      return `json: cannot unmarshal ${this.value} into Go struct field ${this.struct}.${this.field} of type ${this.goType}`;
    }
    return `json: cannot unmarshal ${this.value} into Go value of type ${this.goType}`;
  }
}

/** Any other error Go code returns as-is (syntax errors, Unmarshaler errors). */
export class GoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoError";
  }
}

const simpleEscapes: Record<number, string> = {
  0x07: "\\a",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x0b: "\\v",
  0x5c: "\\\\",
};

// Approximates Go's strconv.IsPrint: controls, separators other than ASCII
// space, format characters, surrogates and unassigned code points are not
// printable.
const nonPrintable = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeRune(cp: number, quote: number): string {
  if (cp === quote) return "\\" + String.fromCodePoint(cp);
  const simple = simpleEscapes[cp];
  if (simple !== undefined) return simple;
  if (cp === 0x20) return " ";
  const ch = String.fromCodePoint(cp);
  if (!nonPrintable.test(ch)) return ch;
  if (cp < 0x80) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp < 0x10000) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\U" + cp.toString(16).padStart(8, "0");
}

/** encoding/json's quoteChar: how a scanner error names the offending byte. */
export function quoteByte(b: number): string {
  if (b === 0x27) return `'\\''`;
  if (b === 0x22) return `'"'`;
  // Go converts the byte to a rune first, so 0x80-0xff print as Latin-1.
  return "'" + escapeRune(b, 0x22) + "'";
}
