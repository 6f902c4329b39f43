// The streaming tool-call parser. Output moves through three modes:
//   start   - only whitespace so far; a `{` or `[` here may be a bare JSON call (llama3.2, xlam) or a
//             pythonic list `[get_weather(city="Paris")]` (Llama 3.2/4)
//   content - ordinary text, streamed at once except for an end that may be the start of a marker
//   calls   - after a marker or bare JSON: values are held until complete, then become calls,
//             or, if they are not calls, go back out as content together with their marker.

import { extractCalls, type Extracted } from "./extract.js";
import { JsonScanner, couldBeCalls, parseJson, type ScanResult } from "./jsonscan.js";
import { couldBePythonCalls, parsePythonCalls, PyScanner } from "./python.js";
import { findMarker, heldSuffix, isPrefixOfAny, markersForTag, type Markers } from "./markers.js";
import { toolCallId } from "./id.js";
import type { ParsedToolCall, ToolLike, ToolParseResult } from "./types.js";

export interface ToolParserOptions {
  /** Makes each call's id; Ollama's form by default. */
  newId?: () => string;
}

type Mode = "start" | "content" | "calls" | "passthrough";

const leadingSpace = /^\s+/u;
const separators = new Set([",", ";"]);
// Mistral's newer form: [TOOL_CALLS]name[ARGS]{...}
const namedArgs = /^([A-Za-z_][\w.-]*)\[ARGS\]/u;
const namedArgsPrefix = /^[A-Za-z_][\w.-]*(\[(A(R(G(S)?)?)?)?)?$/u;
const identStart = /^[A-Za-z_]/u;

/** A value being read until it ends: JSON or Python call syntax, each with its own reading of it. */
interface HeldValue {
  scanner: { feed(piece: string): ScanResult };
  parts: string[];
  parse: (raw: string) => Extracted | undefined;
}

export class ToolCallParser {
  private readonly markers: Markers;
  private readonly names: ReadonlySet<string>;
  private readonly tools: ReadonlyMap<string, ToolLike>;
  private readonly newId: () => string;
  private mode: Mode = "start";
  private buf = "";
  /** Raw text consumed in calls mode since the last call: a marker, whitespace, closers. */
  private pending = "";
  /** A marker was consumed and no call has followed it yet. */
  private markerOpen = false;
  /** A call was made since calls mode began, so whitespace and closers after it are its own. */
  private hadCall = false;
  /** While a JSON value is incomplete: its scanner and its text so far, kept in pieces. */
  private value: HeldValue | undefined;
  private count = 0;
  private out: ToolParseResult = { content: "", calls: [] };

  constructor(
    readonly tag: string,
    tools: readonly ToolLike[],
    options: ToolParserOptions = {},
  ) {
    this.markers = markersForTag(tag);
    this.names = new Set(tools.map((t) => t.function.name));
    this.tools = new Map(tools.map((t) => [t.function.name, t]));
    this.newId = options.newId ?? toolCallId;
  }

  add(text: string): ToolParseResult {
    if (this.value) this.continueValue(text);
    else this.buf += text;
    this.run();
    return this.take();
  }

  /** End of output: anything held that did not become a call is content. */
  flush(): ToolParseResult {
    this.run();
    if (this.value) {
      this.buf = this.value.parts.join("");
      this.value = undefined;
    }
    if (this.mode !== "calls" || this.pendingIsContent() || this.buf !== "")
      this.emit(this.pending + this.buf);
    this.pending = "";
    this.buf = "";
    this.mode = "content";
    return this.take();
  }

  private take(): ToolParseResult {
    const out = this.out;
    this.out = { content: "", calls: [] };
    return out;
  }

  private emit(content: string): void {
    this.out.content += content;
  }

  // Every move consumes text or changes mode, so a bound far above the real count only trips on a
  // bug; then the rest streams as plain content rather than hanging the response.
  private run(): void {
    let budget = 4 * this.buf.length + 16;
    while (this.step()) {
      if (--budget > 0) continue;
      this.emit(this.pending + this.buf);
      this.pending = "";
      this.buf = "";
      this.mode = "passthrough";
      return;
    }
  }

  /** One move; false when more text is needed. */
  private step(): boolean {
    if (this.buf === "") return false;
    switch (this.mode) {
      case "start":
        return this.atStart();
      case "content":
        return this.inContent();
      case "calls":
        return this.inCalls();
      case "passthrough":
        this.emit(this.buf);
        this.buf = "";
        return false;
    }
  }

  private atStart(): boolean {
    const body = this.buf.replace(leadingSpace, "");
    if (body === "") return false;
    const c = body[0];
    if (c === "{" || c === "[" || this.markers.open.some((m) => body.startsWith(m))) {
      this.pending = this.buf.slice(0, this.buf.length - body.length);
      this.buf = body;
      this.enterCalls();
      return true;
    }
    if (isPrefixOfAny(body, this.markers.open)) return false;
    this.mode = "content";
    return true;
  }

  private inContent(): boolean {
    const found = findMarker(this.buf, this.markers.open);
    if (found) {
      this.emit(this.buf.slice(0, found.at));
      this.buf = this.buf.slice(found.at);
      this.enterCalls();
      return true;
    }
    const keep = heldSuffix(this.buf, this.markers.open);
    this.emit(this.buf.slice(0, this.buf.length - keep));
    this.buf = this.buf.slice(this.buf.length - keep);
    return false;
  }

  private inCalls(): boolean {
    const body = this.buf.replace(leadingSpace, "");
    this.consume(this.buf.length - body.length);
    if (body === "") return false;
    const c = body[0] as string;
    // Markers and closers first: `[TOOL_CALLS]` and `[/TOOL_CALLS]` also start like a JSON list.
    const marker = this.markers.open.find((m) => body.startsWith(m));
    if (marker) {
      this.consume(marker.length);
      this.markerOpen = true;
      return true;
    }
    const closer = this.markers.close.find((m) => body.startsWith(m));
    if (closer || separators.has(c)) {
      this.consume(closer?.length ?? 1);
      return true;
    }
    if (isPrefixOfAny(body, [...this.markers.open, ...this.markers.close])) return false;
    if (c === "{" || c === "[") return this.startValue();
    if (this.markerOpen) {
      const named = namedArgs.exec(body);
      if (named) return this.namedValue(named[0].length, named[1] as string);
      // After a marker a call may be bare Python: <|python_tag|>brave_search.call(query="x")
      if (identStart.test(body)) {
        const verdict = couldBePythonCalls(body, 0, this.tools, true);
        if (verdict === "yes") return this.holdValue(this.pythonValue());
        if (verdict === "maybe" || namedArgsPrefix.test(body)) return false;
      }
    }
    this.leaveCalls();
    return true;
  }

  private consume(n: number): void {
    this.pending += this.buf.slice(0, n);
    this.buf = this.buf.slice(n);
  }

  private enterCalls(): void {
    this.mode = "calls";
    this.hadCall = false;
    this.markerOpen = false;
  }

  private pendingIsContent(): boolean {
    return this.markerOpen || !this.hadCall;
  }

  /** Text that is not part of any call: a marker that promised one is content after all. */
  private leaveCalls(): void {
    if (this.pendingIsContent()) this.emit(this.pending);
    this.pending = "";
    this.markerOpen = false;
    this.mode = "content";
  }

  private startValue(): boolean {
    const verdict = couldBeCalls(this.buf, 0);
    const python = this.buf.startsWith("[") ? couldBePythonCalls(this.buf, 0, this.tools, false) : "no";
    if (verdict === "yes") return this.holdValue(this.jsonValue());
    if (python === "yes") return this.holdValue(this.pythonValue());
    if (verdict === "maybe" || python === "maybe") return false;
    this.leaveCalls();
    return true;
  }

  private jsonValue(): HeldValue {
    const parse = (raw: string) => {
      const value = parseJson(raw);
      return value === undefined ? undefined : extractCalls(value, this.names);
    };
    return { scanner: new JsonScanner(), parts: [], parse };
  }

  private pythonValue(): HeldValue {
    return { scanner: new PyScanner(), parts: [], parse: (raw) => parsePythonCalls(raw, this.tools) };
  }

  private holdValue(value: HeldValue): boolean {
    const text = this.buf;
    this.buf = "";
    this.value = value;
    this.continueValue(text);
    return this.buf !== "" || !this.value;
  }

  // The value's text stays out of `buf` until it ends: re-reading a growing string on every
  // piece would make long arguments quadratic.
  private continueValue(piece: string): void {
    const value = this.value;
    if (!value) return;
    value.parts.push(piece);
    const scan = value.scanner.feed(piece);
    if (scan.kind === "incomplete") return;
    this.value = undefined;
    this.buf = value.parts.join("");
    if (scan.kind === "invalid") {
      this.leaveCalls();
      return;
    }
    const raw = this.buf.slice(0, scan.end);
    this.buf = this.buf.slice(scan.end);
    this.acceptValue(raw, value.parse(raw));
  }

  private acceptValue(raw: string, found: Extracted | undefined): void {
    const { calls, rejected } = found ?? { calls: [], rejected: [] };
    if (calls.length === 0) {
      this.emit(this.pending + raw);
      this.pending = "";
      this.markerOpen = false;
      this.mode = "content";
      return;
    }
    for (const call of calls) this.pushCall(call.name, call.arguments);
    for (const r of rejected) this.emit(JSON.stringify(r));
    this.pending = "";
    this.markerOpen = false;
    this.hadCall = true;
  }

  // name[ARGS]{...}: the arguments object follows the name directly.
  private namedValue(prefixLength: number, name: string): boolean {
    const start = prefixLength;
    const tail = this.buf.slice(start);
    if (tail === "") return false;
    if (tail[0] !== "{") {
      this.leaveCalls();
      return true;
    }
    const scan = new JsonScanner().feed(tail);
    if (scan.kind === "incomplete") return false;
    const raw = this.buf.slice(0, start + (scan.kind === "complete" ? scan.end : 0));
    const args = scan.kind === "complete" ? parseJson(tail.slice(0, scan.end)) : undefined;
    this.buf = this.buf.slice(raw.length);
    this.acceptValue(
      raw,
      args === undefined ? undefined : extractCalls({ name, arguments: args }, this.names),
    );
    return true;
  }

  private pushCall(name: string, args: Record<string, unknown>): void {
    const call: ParsedToolCall = {
      id: this.newId(),
      function: { index: this.count++, name, arguments: args },
    };
    this.out.calls.push(call);
  }
}
