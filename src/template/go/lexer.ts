// Go text/template's lexer: splits the source into text and the tokens inside {{ }}, applying the
// {{- and -}} trim markers and dropping comments, with Go's error messages.

export type TokenType =
  | "error"
  | "eof"
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "assign"
  | "declare"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "char"
  | "string"
  | "rawString"
  | "charConstant"
  | "number"
  | "bool"
  | "dot"
  | "field"
  | "variable"
  | "identifier"
  | "nil"
  | "keyword";

export interface Token {
  type: TokenType;
  value: string;
  /** Byte-ish offset (UTF-16 index) into the source. */
  pos: number;
  line: number;
}

const keywords = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

const leftDelim = "{{";
const rightDelim = "}}";
const leftComment = "/*";
const rightComment = "*/";

export function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

export function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && (c === "_" || /[\p{L}\p{Nd}]/u.test(c));
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === "-" && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === "-";
}

function leftTrimLength(s: string, at: number): number {
  let i = at;
  while (i < s.length && isSpace(s[i])) i++;
  return i - at;
}

function rightTrimLength(s: string, from: number, to: number): number {
  let i = to;
  while (i > from && isSpace(s[i - 1])) i--;
  return to - i;
}

/** Tokenizes the whole source eagerly; the last token is eof or error. */
export function lex(input: string): Token[] {
  return new Lexer(input).run();
}

class Lexer {
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  private readonly tokens: Token[] = [];

  constructor(private readonly input: string) {}

  run(): Token[] {
    for (;;) {
      if (!this.lexText()) break;
      if (!this.lexAction()) break;
    }
    return this.tokens;
  }

  private emit(type: TokenType): void {
    this.tokens.push({
      type,
      value: this.input.slice(this.start, this.pos),
      pos: this.start,
      line: this.startLine,
    });
    this.ignore();
  }

  private ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  private error(message: string): false {
    this.tokens.push({ type: "error", value: message, pos: this.start, line: this.startLine });
    return false;
  }

  /** Text up to the next action; returns false at end of input. */
  private lexText(): boolean {
    const x = this.input.indexOf(leftDelim, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit("text");
      this.tokens.push({ type: "eof", value: "", pos: this.pos, line: this.line });
      return false;
    }
    const delimEnd = x + leftDelim.length;
    const trim = hasLeftTrimMarker(this.input, delimEnd) ? rightTrimLength(this.input, this.start, x) : 0;
    this.pos = x - trim;
    if (this.pos > this.start) this.emit("text");
    this.pos = x;
    this.ignore();
    return true;
  }

  /** An action or a comment starting at the left delimiter. */
  private lexAction(): boolean {
    this.pos += leftDelim.length;
    const trimSpace = hasLeftTrimMarker(this.input, this.pos);
    const afterMarker = trimSpace ? 2 : 0;
    if (this.input.startsWith(leftComment, this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return this.lexComment();
    }
    this.tokens.push({ type: "leftDelim", value: leftDelim, pos: this.start, line: this.startLine });
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return this.lexInsideAction();
  }

  private lexComment(): boolean {
    this.pos += leftComment.length;
    const x = this.input.indexOf(rightComment, this.pos);
    if (x < 0) return this.error("unclosed comment");
    this.pos = x + rightComment.length;
    const [delim, trimSpace] = this.atRightDelim();
    if (!delim) return this.error("comment ends before closing delimiter");
    if (trimSpace) this.pos += 2;
    this.pos += rightDelim.length;
    if (trimSpace) this.pos += leftTrimLength(this.input, this.pos);
    this.ignore();
    return true;
  }

  private atRightDelim(): [boolean, boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(rightDelim, this.pos + 2))
      return [true, true];
    return [this.input.startsWith(rightDelim, this.pos), false];
  }

  private lexRightDelim(trimSpace: boolean): void {
    if (trimSpace) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += rightDelim.length;
    this.emit("rightDelim");
    if (trimSpace) {
      this.pos += leftTrimLength(this.input, this.pos);
      this.ignore();
    }
  }

  /** Tokens up to and including the right delimiter; false on error. */
  private lexInsideAction(): boolean {
    for (;;) {
      const [delim, trimSpace] = this.atRightDelim();
      if (delim) {
        if (this.parenDepth !== 0) return this.error("unclosed left paren");
        this.lexRightDelim(trimSpace);
        return true;
      }
      const r = this.input[this.pos];
      if (r === undefined) return this.error("unclosed action");
      this.pos++;
      if (isSpace(r)) {
        this.pos--;
        if (this.lexSpace()) {
          this.lexRightDelim(true);
          return true;
        }
        continue;
      }
      if (!this.lexOne(r)) return false;
    }
  }

  /** Lexes one token that starts with r (already consumed); false on error. */
  private lexOne(r: string): boolean {
    switch (r) {
      case "=":
        this.emit("assign");
        return true;
      case ":":
        if (this.input[this.pos] !== "=") return this.error("expected :=");
        this.pos++;
        this.emit("declare");
        return true;
      case "|":
        this.emit("pipe");
        return true;
      case '"':
        return this.lexQuote();
      case "`":
        return this.lexRawQuote();
      case "$":
        return this.lexFieldOrVariable("variable");
      case "'":
        return this.lexChar();
      case "(":
        this.parenDepth++;
        this.emit("leftParen");
        return true;
      case ")":
        this.parenDepth--;
        if (this.parenDepth < 0) return this.error("unexpected right paren");
        this.emit("rightParen");
        return true;
    }
    if (r === ".") {
      const next = this.input[this.pos];
      if (next === undefined || next < "0" || next > "9") return this.lexFieldOrVariable("field");
    }
    if (r === "." || r === "+" || r === "-" || (r >= "0" && r <= "9")) {
      this.pos--;
      return this.lexNumber();
    }
    if (isAlphaNumeric(r)) {
      this.pos--;
      return this.lexIdentifier();
    }
    const cp = r.codePointAt(0) ?? 0;
    if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) {
      this.emit("char");
      return true;
    }
    const full = String.fromCodePoint(this.input.codePointAt(this.pos - 1) ?? 0);
    return this.error(`unrecognized character in action: ${runeText(full)}`);
  }

  /** Returns true when the spaces end at a " -}}" that should be lexed as a trimming right delimiter. */
  private lexSpace(): boolean {
    let numSpaces = 0;
    while (isSpace(this.input[this.pos])) {
      this.pos++;
      numSpaces++;
    }
    if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(rightDelim, this.pos + 1)) {
      this.pos--;
      if (numSpaces === 1) return true;
    }
    this.emit("space");
    return false;
  }

  private atTerminator(): boolean {
    const r = this.input[this.pos];
    if (r === undefined || isSpace(r)) return true;
    if (".,|:()".includes(r)) return true;
    return this.input.startsWith(rightDelim, this.pos);
  }

  private lexIdentifier(): boolean {
    while (isAlphaNumeric(this.input[this.pos])) this.pos++;
    if (!this.atTerminator()) return this.badCharacter();
    const word = this.input.slice(this.start, this.pos);
    if (keywords.has(word)) this.emit("keyword");
    else if (word === "true" || word === "false") this.emit("bool");
    else if (word === "nil") this.emit("nil");
    else this.emit("identifier");
    return true;
  }

  private lexFieldOrVariable(type: "field" | "variable"): boolean {
    if (this.atTerminator()) {
      this.emit(type === "variable" ? "variable" : "dot");
      return true;
    }
    while (isAlphaNumeric(this.input[this.pos])) this.pos++;
    if (!this.atTerminator()) return this.badCharacter();
    this.emit(type);
    return true;
  }

  private badCharacter(): false {
    const ch = String.fromCodePoint(this.input.codePointAt(this.pos) ?? 0);
    this.pos++;
    return this.error(`bad character ${runeText(ch)}`);
  }

  private lexQuote(): boolean {
    for (;;) {
      const c = this.input[this.pos++];
      if (c === "\\") {
        const n = this.input[this.pos];
        if (n !== undefined && n !== "\n") {
          this.pos++;
          continue;
        }
        return this.error("unterminated quoted string");
      }
      if (c === undefined || c === "\n") return this.error("unterminated quoted string");
      if (c === '"') break;
    }
    this.emit("string");
    return true;
  }

  private lexRawQuote(): boolean {
    const end = this.input.indexOf("`", this.pos);
    if (end < 0) return this.error("unterminated raw quoted string");
    this.pos = end + 1;
    this.emit("rawString");
    return true;
  }

  private lexChar(): boolean {
    for (;;) {
      const c = this.input[this.pos++];
      if (c === "\\") {
        const n = this.input[this.pos];
        if (n !== undefined && n !== "\n") {
          this.pos++;
          continue;
        }
        return this.error("unterminated character constant");
      }
      if (c === undefined || c === "\n") return this.error("unterminated character constant");
      if (c === "'") break;
    }
    this.emit("charConstant");
    return true;
  }

  private lexNumber(): boolean {
    if (!this.scanNumber())
      return this.error(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`);
    this.emit("number");
    return true;
  }

  private accept(chars: string): boolean {
    const c = this.input[this.pos];
    if (c !== undefined && chars.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRun(chars: string): void {
    while (this.accept(chars));
  }

  private scanNumber(): boolean {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 11 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 23 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    if (isAlphaNumeric(this.input[this.pos])) {
      this.pos++;
      return false;
    }
    return true;
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/** Go's %#U rendering of a rune, used in lexer errors: U+0023 '#'. */
export function runeText(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${ch}'`;
}
