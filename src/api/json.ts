/**
 * JSON as Go's encoding/json writes it: HTML-sensitive characters and the JS line separators are
 * escaped (`<` becomes `\u003c`), so responses match Ollama's byte for byte.
 */
const goEscapes: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => goEscapes[c]!);
}
