// `run`: one-shot generation when a prompt or piped input is given, else a chat loop.
import { StatusError, type ChatMessage, type Metrics, type ShowResponse } from "../client.js";
import { println, type Ctx } from "../context.js";
import { keepAliveJson, parseGoDuration } from "../duration.js";
import type { Input } from "../io.js";
import { Progress, Spinner } from "../progress.js";
import { summary } from "./stats.js";
import { pull } from "./transfer.js";
import { chatLoop } from "./repl.js";

export interface RunFlags {
  format?: string;
  think?: string | boolean;
  hidethinking?: boolean;
  keepalive?: string;
  verbose?: boolean;
  insecure?: boolean;
  nowordwrap?: boolean;
  dimensions?: number;
  truncate?: boolean;
}

export type Think = boolean | string;

/** --think's values; a bare --think means true. */
export function parseThink(value: string | boolean | undefined): Think | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === "" || value === "true") return true;
  if (value === false || value === "false") return false;
  if (["high", "medium", "low", "max"].includes(value)) return value;
  throw new Error(`invalid value for --think: "${value}" (must be true, false, high, medium, low, or max)`);
}

export interface RunOptions {
  model: string;
  prompt: string;
  format?: string;
  think?: Think;
  hideThinking: boolean;
  keepAlive?: string | number;
  verbose: boolean;
  system?: string;
}

export async function readAll(input: Input): Promise<string> {
  let s = "";
  for await (const chunk of input) s += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return s;
}

async function showOrPull(model: string, insecure: boolean, ctx: Ctx): Promise<ShowResponse> {
  try {
    return await ctx.client.show(model);
  } catch (err) {
    if (!(err instanceof StatusError) || err.status !== 404) throw err;
  }
  await pull(model, { insecure }, ctx);
  return ctx.client.show(model);
}

const GREY = "\x1b[38;5;245m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** Writes streamed thinking and content, with Ollama's "Thinking..." markers around thinking. */
export class AnswerWriter {
  private thinkingOpen = false;
  private thinkingText = "";

  constructor(
    private readonly out: Ctx["io"]["stdout"],
    private readonly plain: boolean,
    private readonly hideThinking: boolean,
  ) {}

  write(thinking: string | undefined, content: string | undefined): void {
    if (thinking && !this.hideThinking) {
      if (!this.thinkingOpen) {
        this.out.write(this.plain ? "Thinking...\n" : `${GREY}${BOLD}Thinking...\n${RESET}${GREY}`);
        this.thinkingOpen = true;
      }
      this.thinkingText += thinking;
      this.out.write(thinking);
    }
    if (this.thinkingOpen && content) {
      if (!this.thinkingText.endsWith("\n")) this.out.write("\n");
      this.out.write(this.plain ? "...done thinking.\n\n" : `${GREY}${BOLD}...done thinking.\n\n${RESET}`);
      this.thinkingOpen = false;
    }
    if (content) this.out.write(content);
  }

  get thinking(): string {
    return this.thinkingText;
  }
}

function installInterrupt(controller: AbortController): () => void {
  const onSigint = (): void => controller.abort();
  process.once("SIGINT", onSigint);
  return () => process.removeListener("SIGINT", onSigint);
}

const isAbort = (err: unknown): boolean => err instanceof Error && err.name === "AbortError";

export async function generateOnce(opts: RunOptions, ctx: Ctx): Promise<void> {
  const progress = new Progress(ctx.io.stderr);
  if (progress.tty) progress.add(new Spinner(""));
  const controller = new AbortController();
  const restore = installInterrupt(controller);
  const writer = new AnswerWriter(ctx.io.stdout, ctx.io.stdout.isTTY !== true, opts.hideThinking);
  let last: (Metrics & { done?: boolean }) | undefined;
  const body: Record<string, unknown> = { model: opts.model, prompt: opts.prompt };
  if (opts.format) body.format = opts.format;
  if (opts.system) body.system = opts.system;
  if (opts.think !== undefined) body.think = opts.think;
  if (opts.keepAlive !== undefined) body.keep_alive = opts.keepAlive;
  try {
    for await (const chunk of ctx.client.generate(body, controller.signal)) {
      if (chunk.response || !opts.hideThinking) progress.stopAndClear();
      last = chunk;
      writer.write(chunk.thinking, chunk.response);
    }
  } catch (err) {
    if (isAbort(err) || controller.signal.aborted) return;
    throw err;
  } finally {
    restore();
    progress.stopAndClear();
  }
  if (opts.prompt !== "") ctx.io.stdout.write("\n\n");
  if (last?.done && opts.verbose) ctx.io.stderr.write(summary(last));
}

/** One chat turn; returns the assistant's message, or undefined when interrupted. */
export async function chatOnce(
  opts: RunOptions,
  messages: ChatMessage[],
  ctx: Ctx,
  signal?: AbortSignal,
): Promise<ChatMessage | undefined> {
  const progress = new Progress(ctx.io.stderr);
  if (progress.tty) progress.add(new Spinner(""));
  const controller = new AbortController();
  // The chat loop's readline owns Ctrl+C while it runs and passes its own signal.
  const restore = signal ? () => {} : installInterrupt(controller);
  signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const writer = new AnswerWriter(ctx.io.stdout, false, opts.hideThinking);
  const body: Record<string, unknown> = { model: opts.model, messages };
  if (opts.format) body.format = opts.format;
  if (opts.think !== undefined) body.think = opts.think;
  if (opts.keepAlive !== undefined) body.keep_alive = opts.keepAlive;
  let content = "";
  let role = "assistant";
  let last: Metrics | undefined;
  try {
    for await (const chunk of ctx.client.chat(body, controller.signal)) {
      if (chunk.message?.content || !opts.hideThinking) progress.stopAndClear();
      last = chunk;
      role = chunk.message?.role || role;
      content += chunk.message?.content ?? "";
      writer.write(chunk.message?.thinking, chunk.message?.content);
    }
  } catch (err) {
    if (isAbort(err) || controller.signal.aborted) return undefined;
    throw err;
  } finally {
    restore();
    progress.stopAndClear();
  }
  if (messages.length > 0) ctx.io.stdout.write("\n\n");
  if (opts.verbose && last) ctx.io.stderr.write(summary(last));
  return { role, content, ...(writer.thinking ? { thinking: writer.thinking } : {}) };
}

async function embedOnce(
  model: string,
  input: string,
  flags: RunFlags,
  keepAlive: RunOptions["keepAlive"],
  ctx: Ctx,
): Promise<void> {
  if (input === "") {
    throw new Error(`embedding models require input text. Usage: tollama run ${model} "your text here"`);
  }
  const body: Record<string, unknown> = { model, input };
  if (keepAlive !== undefined) body.keep_alive = keepAlive;
  if (flags.truncate !== undefined) body.truncate = flags.truncate;
  if (flags.dimensions) body.dimensions = flags.dimensions;
  const embeddings = await ctx.client.embed(body);
  if (embeddings.length === 0) throw new Error("no embeddings returned");
  println(ctx.io.stdout, JSON.stringify(embeddings[0]));
}

/** Loads the model ahead of the chat, so the first answer doesn't carry the load time. */
async function preload(opts: RunOptions, ctx: Ctx): Promise<void> {
  const progress = new Progress(ctx.io.stderr);
  if (progress.tty) progress.add(new Spinner(""));
  try {
    const body: Record<string, unknown> = { model: opts.model };
    if (opts.keepAlive !== undefined) body.keep_alive = opts.keepAlive;
    if (opts.think !== undefined) body.think = opts.think;
    for await (const chunk of ctx.client.generate(body)) void chunk;
  } finally {
    progress.stopAndClear();
  }
}

export async function run(model: string, promptArgs: string[], flags: RunFlags, ctx: Ctx): Promise<void> {
  const explicitThink = parseThink(flags.think);
  const keepAlive = flags.keepalive ? keepAliveJson(parseGoDuration(flags.keepalive)) : undefined;
  const prompts = [...promptArgs];
  let interactive = true;
  const stdin = ctx.io.stdin;
  if (stdin && stdin.isTTY !== true) {
    const piped = await readAll(stdin);
    if (piped.length > 0) prompts.unshift(piped);
    interactive = false;
  }
  if (prompts.length > 0 || ctx.io.stdout.isTTY !== true) interactive = false;

  const info = await showOrPull(model, flags.insecure === true, ctx);
  const caps = info.capabilities ?? [];
  const think = explicitThink ?? (caps.includes("thinking") ? true : undefined);
  const opts: RunOptions = {
    model,
    prompt: prompts.join(" "),
    hideThinking: flags.hidethinking === true,
    verbose: flags.verbose === true,
    ...(flags.format ? { format: flags.format } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(keepAlive !== undefined ? { keepAlive } : {}),
  };

  if (caps.includes("embedding")) return embedOnce(model, opts.prompt, flags, keepAlive, ctx);
  if (caps.includes("image")) throw new Error("image generation models are not currently supported");
  if (!interactive) return generateOnce(opts, ctx);

  await preload(opts, ctx);
  for (const msg of info.messages ?? []) {
    if (msg.role === "user") println(ctx.io.stdout, `>>> ${msg.content}`);
    else if (msg.role === "assistant") ctx.io.stdout.write(`${msg.content}\n\n`);
  }
  await chatLoop(opts, [...(info.messages ?? [])], ctx);
}
