// strconv.Unquote for the string and character literals a template may contain.

const simple: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

/** Unquotes a Go "..." , `...` or '...' literal; throws Error("invalid syntax") like strconv. */
export function unquote(quoted: string): string {
  const q = quoted[0];
  if (quoted.length < 2 || quoted[quoted.length - 1] !== q) throw new Error("invalid syntax");
  const body = quoted.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) throw new Error("invalid syntax");
    return body.replace(/\r/g, "");
  }
  if (q !== '"' && q !== "'") throw new Error("invalid syntax");
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (c === q || c === "\n") throw new Error("invalid syntax");
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const [text, next] = unescape(body, i + 1, q);
    out += text;
    i = next;
  }
  if (q === "'" && Array.from(out).length !== 1) throw new Error("invalid syntax");
  return out;
}

function unescape(body: string, i: number, quote: string): [string, number] {
  const c = body[i];
  if (c === undefined) throw new Error("invalid syntax");
  const s = simple[c];
  if (s !== undefined) return [s, i + 1];
  if (c === quote) return [c, i + 1];
  if (c === "x") return [byteText(hex(body, i + 1, 2)), i + 3];
  if (c === "u") return [codePoint(hex(body, i + 1, 4)), i + 5];
  if (c === "U") return [codePoint(hex(body, i + 1, 8)), i + 9];
  if (c >= "0" && c <= "7") {
    const digits = body.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) throw new Error("invalid syntax");
    const v = parseInt(digits, 8);
    if (v > 255) throw new Error("invalid syntax");
    return [byteText(v), i + 3];
  }
  throw new Error("invalid syntax");
}

function hex(body: string, at: number, n: number): number {
  const digits = body.slice(at, at + n);
  if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) throw new Error("invalid syntax");
  return parseInt(digits, 16);
}

function codePoint(cp: number): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new Error("invalid syntax");
  return String.fromCodePoint(cp);
}

// A single byte escape can't be represented in a JS string unless it is ASCII; higher bytes map to
// Latin-1 code points, which is the closest a UTF-16 string can get to Go's raw bytes.
function byteText(b: number): string {
  return String.fromCharCode(b);
}
