// The interactive chat loop of `run`: a small subset of Ollama's (/bye, /clear, /?, """ blocks).
import readline from "node:readline";
import type { ChatMessage } from "../client.js";
import { println, type Ctx } from "../context.js";
import { chatOnce, type RunOptions } from "./run.js";

export type ReplAction =
  | { kind: "send"; text: string }
  | { kind: "more" }
  | { kind: "exit" }
  | { kind: "clear" }
  | { kind: "help" }
  | { kind: "unknown"; command: string }
  | { kind: "none" };

/** Turns typed lines into actions; holds the pending lines of a """ block. */
export class LineReader {
  private block: string[] | undefined;

  get inBlock(): boolean {
    return this.block !== undefined;
  }

  feed(line: string): ReplAction {
    if (this.block !== undefined) {
      const end = line.indexOf('"""');
      if (end < 0) {
        this.block.push(line);
        return { kind: "more" };
      }
      this.block.push(line.slice(0, end));
      const text = this.block.join("\n");
      this.block = undefined;
      return { kind: "send", text };
    }
    const trimmed = line.trim();
    if (trimmed.startsWith('"""')) {
      const rest = trimmed.slice(3);
      const end = rest.indexOf('"""');
      if (end >= 0) return { kind: "send", text: rest.slice(0, end) };
      this.block = [rest];
      return { kind: "more" };
    }
    if (trimmed === "") return { kind: "none" };
    if (trimmed.startsWith("/bye") || trimmed.startsWith("/exit")) return { kind: "exit" };
    if (trimmed.startsWith("/clear")) return { kind: "clear" };
    if (trimmed === "/?" || trimmed.startsWith("/help")) return { kind: "help" };
    if (trimmed.startsWith("/")) return { kind: "unknown", command: trimmed.split(/\s+/)[0] ?? trimmed };
    return { kind: "send", text: line };
  }
}

const HELP = `Available Commands:
  /clear          Clear session context
  /bye            Exit
  /?, /help       Help for a command

Use """ to begin a multi-line message.
`;

export async function chatLoop(opts: RunOptions, history: ChatMessage[], ctx: Ctx): Promise<void> {
  const input = (ctx.io.stdin ?? process.stdin) as NodeJS.ReadableStream;
  const output = ctx.io.stdout as unknown as NodeJS.WritableStream;
  const rl = readline.createInterface({ input, output, terminal: ctx.io.stdout.isTTY === true });
  const reader = new LineReader();
  let messages = [...history];
  let answering: AbortController | undefined;
  let closed = false;

  rl.on("SIGINT", () => {
    if (answering) return answering.abort();
    rl.write(null, { ctrl: true, name: "u" });
    println(ctx.io.stdout, "\nUse Ctrl + d or /bye to exit.");
    rl.prompt();
  });
  // Lines are queued, so text pasted (or typed) while an answer streams is not lost.
  const queue: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  rl.on("line", (line) => {
    const w = waiting;
    waiting = undefined;
    if (w) w(line);
    else queue.push(line);
  });
  rl.on("close", () => {
    closed = true;
    waiting?.(undefined);
  });

  const ask = (): Promise<string | undefined> => {
    rl.setPrompt(reader.inBlock ? "... " : ">>> ");
    rl.prompt();
    if (queue.length > 0) return Promise.resolve(queue.shift());
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      waiting = resolve;
    });
  };

  try {
    for (;;) {
      const line = await ask();
      if (line === undefined) return;
      const action = reader.feed(line);
      switch (action.kind) {
        case "exit":
          return;
        case "clear":
          messages = [];
          println(ctx.io.stdout, "Cleared session context");
          break;
        case "help":
          ctx.io.stderr.write(HELP);
          break;
        case "unknown":
          println(ctx.io.stdout, `Unknown command '${action.command}'. Type /? for help`);
          break;
        case "send": {
          messages.push({ role: "user", content: action.text });
          answering = new AbortController();
          const reply = await chatOnce(opts, messages, ctx, answering.signal);
          answering = undefined;
          if (reply) messages.push(reply);
          else messages.pop();
          break;
        }
        default:
          break;
      }
    }
  } finally {
    rl.close();
  }
}
