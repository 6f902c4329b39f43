/**
 * /api/embed and the legacy /api/embeddings without HTTP: Ollama's EmbedHandler and
 * EmbeddingsHandler flows (truncation rules, normalisation, `dimensions`), over the engine's
 * embedder. All inputs of a request are embedded under one lease of the model.
 */
import type { EmbedRequest, EmbeddingRequest } from "../api/wire/index.js";
import type { Embedder } from "../engine/types.js";
import type { Lease } from "../scheduler/scheduler.js";
import { errors, OllamaError } from "./errors.js";
import { effectiveOptions, resolveModel, schedule, type CoreDeps } from "./inference.js";
import type { ResolvedModel } from "./models.js";
import { legacyEmbeddingIsRaw } from "../gguf/index.js";

/** One input: text, or (from /v1/embeddings) token ids. */
export type EmbedInput = string | readonly number[];

export interface EmbedParams {
  model: string;
  inputs: EmbedInput[];
  /** Ollama's default is to truncate; false turns an over-long input into an error. */
  truncate?: boolean | undefined;
  dimensions?: number | undefined;
  keepAlive?: EmbedRequest["keepAlive"];
  options?: Record<string, unknown> | undefined;
}

export interface EmbedResult {
  /** L2-normalised, as float32 values. */
  embeddings: number[][];
  promptEvalCount: number;
  totalNs: number;
  loadNs: number;
}

/** /api/embed (and /v1/embeddings): input is already checked with embedInputStrings. */
export async function embed(
  deps: CoreDeps,
  params: EmbedParams,
  signal: AbortSignal,
  startNs: bigint,
): Promise<EmbedResult> {
  const model = await resolveModel(deps, params.model);
  // No input only loads the model, whatever it is, as in Ollama.
  if (params.inputs.length > 0) checkEmbedding(model, params.model);
  const lease = await scheduleEmbedding(deps, model, params.options, params.keepAlive);
  try {
    // From the request's start to a ready model, as Ollama times it (never 0, loaded or not).
    const loadNs = Number(process.hrtime.bigint() - startNs);
    if (params.inputs.length === 0) return { embeddings: [], promptEvalCount: 0, totalNs: 0, loadNs: 0 };
    const embedder = embedderOf(lease, params.model);
    const truncate = params.truncate ?? true;
    const tokens = params.inputs.map((input) =>
      fitInput(embedder, typeof input === "string" ? lease.model.tokenize(input) : [...input], truncate),
    );
    const out = await runEmbed(embedder, tokens, signal, truncate);
    const embeddings = out.vectors.map((v) => {
      let vec = normalize(v);
      if (params.dimensions && params.dimensions > 0 && params.dimensions < vec.length) {
        vec = normalize(vec.slice(0, params.dimensions));
      }
      return vec.map(shortestFloat32);
    });
    return {
      embeddings,
      promptEvalCount: out.tokens,
      totalNs: Number(process.hrtime.bigint() - startNs),
      loadNs,
    };
  } finally {
    lease.release();
  }
}

/**
 * Legacy /api/embeddings: one prompt's vector, L2-normalised as Ollama's llama-server runner
 * returns it, except for the models whose vectors it keeps raw (legacyEmbeddingIsRaw).
 */
export async function legacyEmbedding(
  deps: CoreDeps,
  req: EmbeddingRequest,
  signal: AbortSignal,
): Promise<number[]> {
  const model = await resolveModel(deps, req.model, {
    empty: errors.modelRequired,
    missing: () => errors.modelNotFoundPull(req.model),
  });
  if (req.prompt !== "") checkEmbedding(model, req.model);
  const lease = await scheduleEmbedding(deps, model, req.options, req.keepAlive);
  try {
    if (req.prompt === "") return [];
    const embedder = embedderOf(lease, req.model);
    const tokens = lease.model.tokenize(req.prompt);
    if (tokens.length + embedder.addedTokens(tokens) > embedder.maxTokens) {
      // Ollama sends this one straight to the runner and reports its refusal as a 500
      throw new OllamaError(500, errors.promptTooLong().message);
    }
    const out = await embedder.embed([tokens], signal);
    const vector = out.vectors[0] ?? [];
    return legacyEmbeddingIsRaw(model.metadata) ? vector : normalize(vector);
  } finally {
    lease.release();
  }
}

function checkEmbedding(model: ResolvedModel, name: string): void {
  if (!model.capabilities.includes("embedding")) throw errors.noEmbeddings(name);
}

async function scheduleEmbedding(
  deps: CoreDeps,
  model: ResolvedModel,
  options: Record<string, unknown> | undefined,
  keepAlive: EmbedRequest["keepAlive"],
): Promise<Lease> {
  const eff = effectiveOptions(deps.config, model, options);
  return schedule(deps, model, eff, keepAlive);
}

/** A reranker has the embedding capability too (pooling is set) but pools into scores. */
function embedderOf(lease: Lease, name: string): Embedder {
  const embedder = lease.model.embedder;
  if (!embedder) throw errors.noEmbeddings(name);
  return embedder;
}

/**
 * EmbedHandler's limits: the context (capped at the trained length by the engine) less the
 * BOS/EOS the engine adds. With truncate the input is cut to fit; without, it is an error.
 */
export function fitInput(embedder: Embedder, tokens: number[], truncate: boolean): number[] {
  const limit = embedder.maxTokens - embedder.addedTokens(tokens);
  if (limit <= 0) throw errors.truncatedTooLong();
  if (tokens.length <= limit) return tokens;
  if (!truncate) throw errors.promptTooLong();
  return tokens.slice(0, limit);
}

async function runEmbed(embedder: Embedder, tokens: number[][], signal: AbortSignal, truncate: boolean) {
  try {
    return await embedder.embed(tokens, signal);
  } catch (err) {
    if (signal.aborted) throw errors.canceled();
    // the engine refusing an input that fitInput let through: the limit was not the real one
    if (err instanceof Error && /context size/i.test(err.message)) {
      throw truncate ? errors.cannotTruncate() : errors.promptTooLong();
    }
    throw err;
  }
}

/**
 * Ollama's normalize, in float32 as Go computes it: the sum of squares accumulates in float32, the
 * scale is 1/max(norm, 1e-12), and NaN or Inf anywhere is an error.
 */
export function normalize(vec: readonly number[]): number[] {
  const f = Math.fround;
  let sum = 0;
  for (const v of vec) {
    if (!Number.isFinite(v)) throw new OllamaError(400, "embedding contains NaN or Inf values");
    sum = f(sum + f(v * v));
  }
  const scale = f(1 / Math.max(Math.sqrt(sum), 1e-12));
  return vec.map((v) => f(v * scale));
}

/**
 * The shortest decimal that reads back as the same float32: what Go's encoding/json prints for
 * a []float32, so vectors are as compact as Ollama's and decode to the same float32 values.
 *
 * If d digits read back, so do d+1 (the nearest (d+1)-digit decimal is no farther away than the
 * d-digit one), so the search starts at 8 digits and walks down: embedding values need 7 or 8
 * digits, and trying 1, 2, 3, ... first took ~8 toPrecision calls a value (32 vectors of 768:
 * ~60 ms, now ~20 ms, more than a small model's decodes). Powers of two, where the round-trip
 * interval is lopsided and that argument does not hold, take the plain scan.
 */
export function shortestFloat32(v: number): number {
  const target = Math.fround(v);
  if (target === 0 || !Number.isFinite(target)) return target;
  f32[0] = target;
  if (((u32[0] ?? 0) & 0x7fffff) === 0) return scanFrom(target, 1);
  // down from 8 digits while they read back; the last that did is the answer (9 always does)
  let longer = 0;
  for (let digits = 8; digits >= 6; digits--) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) !== target) return digits === 8 ? Number(target.toPrecision(9)) : longer;
    longer = candidate;
  }
  return scanFrom(target, 1);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The plain search: the fewest digits from `digits` up that read back (9 always do). */
export function scanFrom(target: number, digits: number): number {
  for (let d = digits; d < 9; d++) {
    const candidate = Number(target.toPrecision(d));
    if (Math.fround(candidate) === target) return candidate;
  }
  return Number(target.toPrecision(9));
}
