// gpt-oss "harmony" output: messages of `<|channel|>NAME [to=RECIPIENT] [<|constrain|>json]<|message|>BODY`
// ended by <|end|>, <|call|> or <|return|>. The analysis channel is thinking; a message addressed
// `to=functions.NAME` is a tool call whose body is its JSON arguments; the rest is content.
// The prompt ends with `<|start|>assistant`, so output begins with a header (as in Ollama's
// harmony parser, which prepends that implicit start).

import { parseJsonObject, toolCallId, type ParsedToolCall } from "../tools/index.js";
import { partialSuffix } from "./overlap.js";

export interface HarmonyPiece {
  thinking: string;
  content: string;
  calls: ParsedToolCall[];
}

export interface HarmonyOptions {
  newId?: () => string;
  /**
   * A chat prefill the output continues: the final channel after an assistant message with
   * content, analysis (thinking) after one with thinking alone, as Ollama's harmony parser starts
   * there. Default: none, the output opens with a message header.
   */
  continues?: "thinking" | "content" | undefined;
}

const headerEnd = "<|message|>";
const headerStarts = ["<|", "to=", "assistant"];
const bodyEnds = ["<|end|>", "<|call|>", "<|return|>", "<|start|>"];

type Target = "thinking" | "content" | "call";

export class HarmonyParser {
  private readonly newId: () => string;
  private mode: "header" | "body" = "header";
  private buf = "";
  private target: Target = "content";
  private recipient = "";
  private args = "";
  private count = 0;
  private out: HarmonyPiece = { thinking: "", content: "", calls: [] };

  constructor(options: HarmonyOptions = {}) {
    this.newId = options.newId ?? toolCallId;
    if (options.continues) this.startBody(options.continues, "");
  }

  add(text: string): HarmonyPiece {
    this.buf += text;
    while (this.mode === "header" ? this.header() : this.body());
    return this.take();
  }

  /** End of output: an unfinished message ends here; a half-written header is dropped. */
  flush(): HarmonyPiece {
    if (this.mode === "body") {
      this.write(this.buf);
      this.buf = "";
      this.endMessage();
    } else {
      this.buf = "";
    }
    return this.take();
  }

  private take(): HarmonyPiece {
    const out = this.out;
    this.out = { thinking: "", content: "", calls: [] };
    return out;
  }

  private header(): boolean {
    const trimmed = this.buf.trimStart();
    if (trimmed === "") return false;
    // Output that is not harmony at all is plain content.
    if (!headerStarts.some((h) => trimmed.startsWith(h) || h.startsWith(trimmed))) {
      this.startBody("content", "");
      return true;
    }
    const at = this.buf.indexOf(headerEnd);
    if (at < 0) return false;
    const head = this.buf.slice(0, at);
    this.buf = this.buf.slice(at + headerEnd.length);
    const channel = /<\|channel\|>([^\s<]*)/u.exec(head)?.[1] ?? "";
    const recipient = /(?:^|\s|>)to=([^\s<]+)/u.exec(head)?.[1] ?? "";
    if (recipient) this.startBody("call", recipient);
    else this.startBody(channel === "analysis" ? "thinking" : "content", "");
    return true;
  }

  private startBody(target: Target, recipient: string): void {
    this.mode = "body";
    this.target = target;
    this.recipient = recipient;
    this.args = "";
  }

  private body(): boolean {
    let end: { at: number; tag: string } | undefined;
    for (const tag of bodyEnds) {
      const at = this.buf.indexOf(tag);
      if (at >= 0 && (!end || at < end.at)) end = { at, tag };
    }
    if (end) {
      this.write(this.buf.slice(0, end.at));
      // <|start|> opens the next message's header; the other tags are consumed.
      this.buf = this.buf.slice(end.tag === "<|start|>" ? end.at : end.at + end.tag.length);
      this.endMessage();
      return true;
    }
    const keep = Math.max(...bodyEnds.map((t) => partialSuffix(this.buf, t)));
    this.write(this.buf.slice(0, this.buf.length - keep));
    this.buf = this.buf.slice(this.buf.length - keep);
    return false;
  }

  private write(text: string): void {
    if (this.target === "call") this.args += text;
    else this.out[this.target] += text;
  }

  private endMessage(): void {
    if (this.target === "call") this.finishCall();
    this.mode = "header";
    this.target = "content";
  }

  /**
   * A message addressed to a tool is a call, declared or not (gpt-oss also calls its built-in
   * browser and python tools), as Ollama reports it; arguments that are not a JSON object go out as
   * content (Ollama fails the response).
   */
  private finishCall(): void {
    const name = this.recipient.replace(/^functions\./u, "");
    const args = this.args.trim() === "" ? {} : parseJsonObject(this.args);
    if (args) {
      this.out.calls.push({ id: this.newId(), function: { index: this.count++, name, arguments: args } });
    } else {
      this.out.content += this.args;
    }
    this.args = "";
  }
}

export function createHarmonyParser(options: HarmonyOptions = {}): HarmonyParser {
  return new HarmonyParser(options);
}
