// Splits a model's streamed output into thinking and content, as Ollama's thinking.Parser does:
// thinking only when the output opens with the tag (after whitespace), whitespace eaten after
// both tags, and a tag split across pieces held back until it is decided.

import { partialSuffix } from "./overlap.js";

export interface ThinkingPiece {
  thinking: string;
  content: string;
}

export interface ThinkingOptions {
  open?: string;
  close?: string;
  /** The prompt already ends with the opening tag, so the model starts inside thinking. */
  startsInside?: boolean;
}

type State = "lookingForOpen" | "eatingAfterOpen" | "thinking" | "eatingAfterClose" | "done";

const leadingSpace = /^\s+/u;

function trimStart(s: string): string {
  return s.replace(leadingSpace, "");
}

export class ThinkingParser {
  readonly open: string;
  readonly close: string;
  private state: State = "lookingForOpen";
  private held = "";

  constructor(options: ThinkingOptions = {}) {
    this.open = options.open ?? "<think>";
    this.close = options.close ?? "</think>";
    if (!this.open || !this.close) throw new Error("thinking tags must not be empty");
    if (options.startsInside) this.state = "eatingAfterOpen";
  }

  /** Feeds one piece; returns what is already unambiguous. */
  add(text: string): ThinkingPiece {
    this.held += text;
    const out: ThinkingPiece = { thinking: "", content: "" };
    // Several states may be crossed in one piece; stop when a step needs more text.
    while (this.step(out));
    return out;
  }

  /** End of output: whatever was held for disambiguation is released where it belongs. */
  flush(): ThinkingPiece {
    const held = this.held;
    this.held = "";
    if (this.state === "thinking") return { thinking: held, content: "" };
    if (this.state === "lookingForOpen") {
      this.state = "done";
      return { thinking: "", content: held };
    }
    return { thinking: "", content: "" };
  }

  /** True once the opening tag has been seen (or assumed) and the closing one has not. */
  get inThinking(): boolean {
    return this.state === "eatingAfterOpen" || this.state === "thinking";
  }

  private step(out: ThinkingPiece): boolean {
    switch (this.state) {
      case "lookingForOpen":
        return this.lookForOpen(out);
      case "eatingAfterOpen":
        return this.eat("thinking");
      case "thinking":
        return this.think(out);
      case "eatingAfterClose":
        this.eat("done");
        out.content += this.held;
        this.held = "";
        return false;
      case "done":
        out.content += this.held;
        this.held = "";
        return false;
    }
  }

  private lookForOpen(out: ThinkingPiece): boolean {
    const trimmed = trimStart(this.held);
    if (trimmed.startsWith(this.open)) {
      this.held = trimmed.slice(this.open.length);
      this.state = "eatingAfterOpen";
      return true;
    }
    if (trimmed === "" || this.open.startsWith(trimmed)) return false;
    // No tag: the model skipped thinking, and its leading whitespace is real content.
    this.state = "done";
    out.content += this.held;
    this.held = "";
    return false;
  }

  /** Drops leading whitespace; moves to `next` once something else arrives. */
  private eat(next: State): boolean {
    this.held = trimStart(this.held);
    if (this.held === "") return false;
    this.state = next;
    return true;
  }

  private think(out: ThinkingPiece): boolean {
    const at = this.held.indexOf(this.close);
    if (at >= 0) {
      out.thinking += this.held.slice(0, at);
      this.held = this.held.slice(at + this.close.length);
      this.state = "eatingAfterClose";
      return true;
    }
    const keep = partialSuffix(this.held, this.close);
    out.thinking += this.held.slice(0, this.held.length - keep);
    this.held = this.held.slice(this.held.length - keep);
    return false;
  }
}

export function createThinkingParser(options: ThinkingOptions = {}): ThinkingParser {
  return new ThinkingParser(options);
}

/** Ollama's test for a prompt that leaves the model inside thinking: it ends with the opening tag. */
export function promptEndsInThinking(prompt: string, open: string): boolean {
  return open !== "" && prompt.trim().endsWith(open);
}
