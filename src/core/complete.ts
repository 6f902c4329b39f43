/**
 * The part generate and chat share: lease a sequence for a rendered prompt, run the completion,
 * and report Ollama's metrics. The lease is released however the caller stops iterating.
 */
import type { LoadedModel, Sampling } from "../engine/types.js";
import type { Lease } from "../scheduler/scheduler.js";
import type { Options } from "../api/wire/index.js";
import { runCompletion, type RunPiece, type RunResult } from "./run.js";
import { errors } from "./errors.js";
import { sampling } from "./options.js";

export interface CompletionInput {
  lease: Lease;
  prompt: string;
  /** Tokens of an earlier exchange (/api/generate's deprecated `context`), placed before the prompt. */
  prefixTokens?: number[] | undefined;
  options: Options;
  format: Sampling["format"];
  shift: boolean;
  truncate: boolean;
  /** Report log-probabilities with `top` alternatives; undefined: none. */
  logprobs?: { top: number } | undefined;
  signal?: AbortSignal | undefined;
}

export interface Completion {
  pieces: AsyncGenerator<RunPiece, RunResult, void>;
  /** The evaluated prompt, for /api/generate's context. */
  promptTokens: number[];
}

export function tokenizePrompt(model: LoadedModel, prompt: string): number[] {
  const tokens = model.tokenize(prompt);
  if (model.addBos && model.bosToken !== undefined && tokens[0] !== model.bosToken)
    tokens.unshift(model.bosToken);
  return tokens;
}

/**
 * A prompt longer than the context keeps its first num_keep tokens and the most recent ones, as
 * Ollama's runner does; with truncate:false it is an error instead.
 */
export function fitPrompt(
  tokens: number[],
  contextSize: number,
  numKeep: number,
  truncate: boolean,
): number[] {
  if (tokens.length < contextSize) return tokens;
  if (!truncate) throw errors.promptTooLong();
  const keep = Math.min(Math.max(numKeep, 0), Math.floor(contextSize / 2));
  const tail = contextSize - keep - 1;
  return [...tokens.slice(0, keep), ...tokens.slice(tokens.length - tail)];
}

export async function startCompletion(input: CompletionInput): Promise<Completion> {
  const { lease, options } = input;
  const model = lease.model;
  const prefix = input.prefixTokens ?? [];
  // num_ctx as asked; llama.cpp may pad the context it allocates.
  const contextSize = Math.min(options.numCtx, model.contextSize);
  const tokens = fitPrompt(
    prefix.length > 0 ? [...prefix, ...model.tokenize(input.prompt)] : tokenizePrompt(model, input.prompt),
    contextSize,
    options.numKeep,
    input.truncate,
  );
  const sequence = await lease.sequence(tokens, input.signal);
  const pieces = runCompletion(sequence, {
    prompt: tokens,
    sampling: sampling(options, input.format),
    numPredict: options.numPredict,
    stop: options.stop ?? [],
    shift: input.shift,
    numKeep: options.numKeep,
    contextSize,
    logprobs: input.logprobs,
    signal: input.signal,
  });
  return { pieces, promptTokens: tokens };
}
