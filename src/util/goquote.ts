// Go's strconv.Quote (fmt's %q for a string): error messages and printed Modelfiles quote names and
// values exactly as Ollama does.

const SHORT_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Go's strconv.IsPrint: everything but controls, format/private/unassigned, and separators bar " ". */
const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

function quoteChar(ch: string): string {
  const short = SHORT_ESCAPES[ch];
  if (short) return short;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return "\ufffd"; // Go sees U+FFFD after JSON-decoding a lone surrogate
  if (ch === " " || !NOT_PRINTABLE.test(ch)) return ch;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** Go's %q, so names with odd characters appear in messages exactly as Ollama prints them. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += quoteChar(ch);
  return `${out}"`;
}
