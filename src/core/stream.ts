/** Runs a started completion through the output parsers and yields Ollama's events with metrics. */
import type { ToolLike } from "../tools/index.js";
import { startCompletion, type Completion, type CompletionInput } from "./complete.js";
import type { RunPiece, RunResult } from "./run.js";
import type { InferenceEvent } from "./inference.js";
import type { ResolvedModel } from "./models.js";
import { OutputSplitter, isEmptyPiece } from "./output.js";

export interface StreamOptions {
  model: ResolvedModel;
  prompt: string;
  think: boolean;
  tools: readonly ToolLike[] | undefined;
  /** The conversation's last message, for the built-in parsers (chat only). Default: none. */
  lastMessage?: { role: string; content: string; thinking?: string | undefined } | undefined;
  /** From the request's start until its model was ready (Ollama's load_duration). */
  loadNs: number;
  startNs: bigint;
  /**
   * /api/generate returns the token context (chat does not): as Ollama makes it, the prompt and the
   * answer's text tokenized again, without BOS, so text cut by a stop sequence stays out of it.
   */
  withContext: boolean;
}

export async function* streamCompletion(c: Completion, o: StreamOptions): AsyncGenerator<InferenceEvent> {
  const splitter = new OutputSplitter(o.model, o.prompt, o.think, o.tools, o.lastMessage);
  let step: IteratorResult<RunPiece, RunResult>;
  let answer = "";
  try {
    step = await c.pieces.next();
    while (!step.done) {
      const { text, logprobs } = step.value;
      if (o.withContext) answer += text;
      const piece = splitter.add(text);
      // Log-probabilities go out even while a parser holds the text back, as in Ollama.
      if (logprobs.length > 0) yield { type: "piece", piece, logprobs };
      else if (!isEmptyPiece(piece)) yield { type: "piece", piece };
      step = await c.pieces.next();
    }
  } finally {
    // A consumer that stops early (client gone) must stop the engine too, before the lease is released.
    await c.pieces.return(undefined as never);
  }
  const last = splitter.flush();
  if (!isEmptyPiece(last)) yield { type: "piece", piece: last };
  const r = step.value;
  yield {
    type: "done",
    doneReason: r.doneReason,
    metrics: {
      totalNs: Number(process.hrtime.bigint() - o.startNs),
      loadNs: o.loadNs,
      promptEvalCount: r.promptEvalCount,
      promptEvalNs: r.promptEvalNs,
      evalCount: r.evalCount,
      evalNs: r.evalNs,
    },
    ...(o.withContext ? { context: c.tokenize(o.prompt + answer) } : {}),
    ...(r.stopSequence !== undefined ? { stopSequence: r.stopSequence } : {}),
  };
}

/** Starts a completion on the lease and streams it: the whole run after the prompt is rendered. */
export async function* complete(
  input: CompletionInput,
  stream: Omit<StreamOptions, "prompt">,
): AsyncGenerator<InferenceEvent> {
  const completion = await startCompletion(input);
  yield* streamCompletion(completion, { ...stream, prompt: input.prompt });
}
