// JSON bytes as Go's encoding/json writes them, because blob and manifest digests are hashes of
// those exact bytes: a config or params blob we write must hash the same as Ollama's.
// Differences from JSON.stringify: `<`, `>`, `&`, U+2028 and U+2029 are \u-escaped, lone
// surrogates become U+FFFD, and (for Go maps) object keys are sorted bytewise.

export interface GoJsonOptions {
  /** Sort object keys, as Go does for map[string]any (params); structs keep field order. */
  sortKeys?: boolean;
}

function encodeValue(value: unknown, sortKeys: boolean): string | undefined {
  let v = value;
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") {
    v = (v as { toJSON: () => unknown }).toJSON();
  }
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(v);
    case "bigint":
      return v.toString();
    case "object":
      return Array.isArray(v)
        ? encodeArray(v, sortKeys)
        : encodeObject(v as Record<string, unknown>, sortKeys);
    default:
      return undefined;
  }
}

function encodeArray(items: unknown[], sortKeys: boolean): string {
  return `[${items.map((item) => encodeValue(item, sortKeys) ?? "null").join(",")}]`;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function encodeObject(obj: Record<string, unknown>, sortKeys: boolean): string {
  const keys = Object.keys(obj);
  if (sortKeys) keys.sort(compareBytes);
  const members: string[] = [];
  for (const key of keys) {
    const encoded = encodeValue(obj[key], sortKeys);
    if (encoded !== undefined) members.push(`${JSON.stringify(key)}:${encoded}`);
  }
  return `{${members.join(",")}}`;
}

const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * These characters only ever occur inside string literals of the output, so a global pass is safe.
 * Escaped backslashes are matched first so that text like `\\ud800` is left alone.
 */
function applyGoEscapes(json: string): string {
  return json.replace(/\\\\|\\ud[89a-f][0-9a-f]{2}|[<>&\u2028\u2029]/g, (m) => {
    if (m === "\\\\") return m;
    if (m.startsWith("\\u")) return "\\ufffd";
    return GO_ESCAPES[m] ?? m;
  });
}

/** Go's json.Marshal output (no trailing newline). */
export function goJson(value: unknown, options: GoJsonOptions = {}): string {
  const sortKeys = options.sortKeys ?? false;
  return applyGoEscapes((sortKeys ? undefined : plainJson(value)) ?? encodeValue(value, sortKeys) ?? "null");
}

/**
 * JSON.stringify where it writes what encodeValue would (keys in their own order; undefined and
 * functions left out; toJSON honoured), which is every value but a BigInt. Every streamed chunk
 * goes through here, and the native encoder is several times faster.
 */
function plainJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Go's json.Encoder.Encode output: json.Marshal plus "\n". Ollama writes blobs this way. */
export function goJsonLine(value: unknown, options: GoJsonOptions = {}): string {
  return `${goJson(value, options)}\n`;
}
