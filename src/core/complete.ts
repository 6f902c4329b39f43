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
import type { ResolvedModel } from "./models.js";

export interface CompletionInput {
  lease: Lease;
  prompt: string;
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
  /** The model's tokenizer, for /api/generate's context. */
  tokenize(text: string): number[];
}

export function tokenizePrompt(model: LoadedModel, prompt: string): number[] {
  const tokens = model.tokenize(prompt);
  if (model.addBos && model.bosToken !== undefined && tokens[0] !== model.bosToken)
    tokens.unshift(model.bosToken);
  return tokens;
}

/**
 * A prompt that leaves no room in the context, as Ollama's llama-server runner cuts it: keep the
 * first num_keep tokens (all when negative, plus BOS) and drop enough after them to free half of
 * the rest, as the old runners' first context shift did. With truncate:false it is an error, and
 * without context shift Ollama refuses it rather than cut.
 */
export function fitPrompt(
  tokens: number[],
  contextSize: number,
  numKeep: number,
  opts: { truncate: boolean; shift: boolean; addsBos: boolean },
): number[] {
  if (tokens.length <= contextSize - 1) return tokens;
  if (!opts.truncate) throw errors.promptTooLong();
  if (!opts.shift) throw errors.promptExceedsContext();
  let keep = numKeep < 0 ? tokens.length : numKeep;
  if (opts.addsBos) keep++;
  keep = Math.max(0, Math.min(keep, contextSize - 1));
  const limit = contextSize - Math.max(Math.floor((contextSize - keep) / 2), 1);
  const discard = tokens.length - limit;
  return [...tokens.slice(0, keep), ...tokens.slice(keep + discard)];
}

/**
 * Context shift unless the request says otherwise; off for DeepSeek-2-family models (their
 * compressed attention cache cannot be shifted), as in Ollama's scheduler.
 */
export function shiftByDefault(model: ResolvedModel): boolean {
  const config = model.stored.config;
  return config.model_family !== "deepseek2" && !(config.model_families ?? []).includes("deepseek2");
}

/**
 * Ollama bounds every generation to ten contexts' worth of tokens (llm/llama_server.go): the
 * default -1, -2, 0 (which Ollama never sends on) and anything larger all become that bound, so a
 * model caught in a loop ends with done_reason "length" instead of holding its slot forever.
 */
export function boundedNumPredict(numPredict: number, contextSize: number): number {
  const limit = 10 * contextSize;
  return numPredict <= 0 || numPredict > limit ? limit : numPredict;
}

export async function startCompletion(input: CompletionInput): Promise<Completion> {
  const { lease, options } = input;
  const model = lease.model;
  // num_ctx as asked; llama.cpp may pad the context it allocates.
  const contextSize = Math.min(options.numCtx, model.contextSize);
  const tokens = fitPrompt(tokenizePrompt(model, input.prompt), contextSize, options.numKeep, {
    truncate: input.truncate,
    shift: input.shift,
    addsBos: model.addBos,
  });
  const sequence = await lease.sequence(tokens, input.signal);
  const pieces = runCompletion(sequence, {
    prompt: tokens,
    sampling: sampling(options, input.format),
    numPredict: boundedNumPredict(options.numPredict, contextSize),
    stop: options.stop ?? [],
    shift: input.shift,
    numKeep: options.numKeep,
    contextSize,
    logprobs: input.logprobs,
    signal: input.signal,
  });
  return { pieces, tokenize: (text) => model.tokenize(text) };
}
