// pull and push, and the progress display shared with create: a bar per layer digest, a spinner
// per status line, as Ollama's CLI shows them.
import type { ProgressResponse } from "../client.js";
import { println, type Ctx } from "../context.js";
import { Bar, Progress, Spinner, type Clock } from "../progress.js";
import { fullName, parseModelName, shortName } from "../name.js";

export interface ProgressStyle {
  /** The label of a new layer's bar. */
  barLabel(resp: ProgressResponse): string;
  /** Pull skips the first, zero-progress report of each layer so no 0% bars pile up. */
  skipZero?: boolean;
}

export async function showProgress(
  stream: AsyncIterable<ProgressResponse>,
  progress: Progress,
  style: ProgressStyle,
  clock: Clock = Date.now,
): Promise<void> {
  const bars = new Map<string, Bar>();
  let status: string | undefined;
  let spinner: Spinner | undefined;
  for await (const resp of stream) {
    if (resp.digest) {
      const completed = resp.completed ?? 0;
      if (style.skipZero && completed === 0) continue;
      spinner?.stop();
      let bar = bars.get(resp.digest);
      if (!bar) {
        bar = new Bar(style.barLabel(resp), resp.total ?? 0, completed, clock);
        bars.set(resp.digest, bar);
        progress.add(bar);
      }
      progress.update(bar, completed);
    } else if (resp.status !== status) {
      spinner?.stop();
      status = resp.status;
      spinner = new Spinner(status ?? "");
      progress.add(spinner);
    }
  }
}

const shortDigest = (digest: string): string => {
  const hex = digest.startsWith("sha256:") ? digest.slice(7).trim().slice(0, 12) : digest.trim();
  return hex;
};

export const PULL_STYLE: ProgressStyle = {
  barLabel: (r) => `pulling ${shortDigest(r.digest ?? "")}:`,
  skipZero: true,
};

export const PUSH_STYLE: ProgressStyle = {
  barLabel: (r) => r.status || `pushing ${(r.digest ?? "").slice(7, 19)}...`,
};

export const CREATE_STYLE: ProgressStyle = {
  barLabel: (r) => r.status || `pulling ${(r.digest ?? "").slice(7, 19)}...`,
};

export async function pull(model: string, opts: { insecure?: boolean }, ctx: Ctx): Promise<void> {
  const progress = new Progress(ctx.io.stderr);
  try {
    await showProgress(ctx.client.pull(model, opts.insecure === true), progress, PULL_STYLE, ctx.now);
  } finally {
    progress.stop();
  }
}

export function pushDestination(model: string): string {
  const n = parseModelName(model);
  if (n.host.endsWith(".ollama.ai") || n.host.endsWith(".ollama.com")) {
    return `https://ollama.com/${shortName(n).replace(/:latest$/, "")}`;
  }
  return fullName(n);
}

export async function push(model: string, opts: { insecure?: boolean }, ctx: Ctx): Promise<void> {
  const progress = new Progress(ctx.io.stderr);
  try {
    await showProgress(ctx.client.push(model, opts.insecure === true), progress, PUSH_STYLE, ctx.now);
  } catch (err) {
    const text = err instanceof Error ? err.message.toLowerCase() : "";
    if (text.includes("access denied") || text.includes("unauthorized")) {
      throw new Error(
        "you are not authorized to push to this namespace, create the model under a namespace you own",
      );
    }
    throw err;
  } finally {
    progress.stop();
  }
  ctx.io.stdout.write("\nYou can find your model at:\n\n");
  println(ctx.io.stdout, `\t${pushDestination(model)}`);
}
