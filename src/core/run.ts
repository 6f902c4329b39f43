/**
 * One completion on a leased sequence: prompt evaluation, sampling, stop sequences, num_predict
 * and context limits, with Ollama's metrics (durations in nanoseconds).
 */
import type { EngineSequence, Logprob, Sampling } from "../engine/types.js";
import { StopMatcher } from "./stops.js";
import { LogprobQueue } from "./logprob-queue.js";

export interface RunRequest {
  prompt: number[];
  sampling: Sampling;
  /** Most tokens to sample (bounded by the caller, see boundedNumPredict); negative: no limit. */
  numPredict: number;
  stop: string[];
  /** Shift the context when it fills (true) or stop with done_reason "length" (false). */
  shift: boolean;
  numKeep: number;
  contextSize: number;
  /** Report log-probabilities with `top` alternatives (0-20); undefined: none. */
  logprobs?: { top: number } | undefined;
  signal?: AbortSignal | undefined;
}

/** Text for the client, with the log-probabilities of the tokens it completes (when asked for). */
export interface RunPiece {
  text: string;
  logprobs: Logprob[];
}

export interface RunResult {
  doneReason: "stop" | "length";
  promptEvalCount: number;
  promptEvalNs: number;
  evalCount: number;
  evalNs: number;
  /** Tokens sampled. */
  tokens: number[];
  /** The stop sequence that ended generation (Anthropic reports it). */
  stopSequence?: string | undefined;
}

const now = () => process.hrtime.bigint();

/** Yields text pieces; returns the metrics. Stops early (without error) when the signal aborts. */
export async function* runCompletion(
  seq: EngineSequence,
  req: RunRequest,
): AsyncGenerator<RunPiece, RunResult, void> {
  const start = now();
  let promptDone = start;
  const stops = new StopMatcher(req.stop);
  const logprobs = new LogprobQueue();
  const piece = (text: string): RunPiece => ({ text, logprobs: logprobs.send(text) });
  const tokens: number[] = [];
  let doneReason: RunResult["doneReason"] = "stop";
  let stopSequence: string | undefined;
  const limit = req.numPredict >= 0 ? req.numPredict : Infinity;

  if (limit > 0) {
    const steps = seq.generate(req.prompt, req.sampling, {
      signal: req.signal,
      shift: req.shift,
      numKeep: req.numKeep,
      onPromptDone: () => (promptDone = now()),
      logprobs: req.logprobs,
      maxTokens: Number.isFinite(limit) ? limit : undefined,
    });
    for await (const step of steps) {
      if (step.token >= 0) tokens.push(step.token);
      logprobs.add(step.text, step.logprob);
      const { emit, stopped, stop } = stops.push(step.text);
      if (emit) yield piece(emit);
      if (stopped) {
        stopSequence = stop;
        break;
      }
      if (tokens.length >= limit) {
        doneReason = "length";
        break;
      }
      if (!req.shift && req.prompt.length + tokens.length >= req.contextSize) {
        doneReason = "length";
        break;
      }
    }
    const rest = stops.flush();
    if (rest) yield piece(rest);
    const last = logprobs.finish();
    if (last.length > 0) yield { text: "", logprobs: last };
  } else {
    doneReason = "length";
  }
  const end = now();
  if (promptDone === start) promptDone = end;
  return {
    doneReason,
    promptEvalCount: req.prompt.length,
    promptEvalNs: Number(promptDone - start),
    evalCount: tokens.length,
    evalNs: Number(end - promptDone),
    tokens,
    stopSequence,
  };
}
