/**
 * Reranking, which Ollama lacks: a query and documents in, relevance scores out, in the shape the
 * common rerank APIs share (Jina, Cohere, llama.cpp's server). Needs a reranker model: rank pooling
 * with a classifier head, which the engine opens as a ranking context.
 */
import type { KeepAlive } from "../api/wire/index.js";
import { errors, OllamaError } from "./errors.js";
import { effectiveOptions, resolveModel, schedule, type CoreDeps } from "./inference.js";

export interface RerankParams {
  model: string;
  query: string;
  documents: string[];
  /** How many results to return, best first; undefined or 0 returns all. */
  topN?: number | undefined;
  keepAlive?: KeepAlive | undefined;
  options?: Record<string, unknown> | undefined;
}

export interface RerankResult {
  /** Best first; `index` is the document's position in the request. */
  results: Array<{ index: number; relevanceScore: number }>;
  promptTokens: number;
  totalNs: number;
  loadNs: number;
}

export async function rerank(
  deps: CoreDeps,
  params: RerankParams,
  signal: AbortSignal,
  startNs: bigint,
): Promise<RerankResult> {
  const model = await resolveModel(deps, params.model);
  // a reranker's GGUF sets a pooling type, so it carries the embedding capability
  if (!model.capabilities.includes("embedding")) throw errors.noRerank(params.model);
  const eff = effectiveOptions(deps.config, model, params.options);
  const lease = await schedule(deps, model, eff, params.keepAlive);
  try {
    const ranker = lease.model.ranker;
    if (!ranker) throw errors.noRerank(params.model);
    for (const document of params.documents) {
      if (ranker.inputLength(params.query, document) > ranker.maxTokens) throw errors.promptTooLong();
    }
    let out: { scores: number[]; tokens: number };
    try {
      out = await ranker.rank(params.query, params.documents, signal);
    } catch (err) {
      if (signal.aborted) throw errors.canceled();
      throw err;
    }
    const results = out.scores
      .map((relevanceScore, index) => ({ index, relevanceScore }))
      .sort((a, b) => b.relevanceScore - a.relevanceScore || a.index - b.index);
    const topN = params.topN && params.topN > 0 ? params.topN : results.length;
    return {
      results: results.slice(0, topN),
      promptTokens: out.tokens,
      totalNs: Number(process.hrtime.bigint() - startNs),
      loadNs: lease.loadMs * 1e6,
    };
  } finally {
    lease.release();
  }
}

/** Request checks shared by /api/rerank and /v1/rerank. */
export function validateRerank(p: {
  model: unknown;
  query: unknown;
  documents: unknown;
  topN: unknown;
}): void {
  if (typeof p.model !== "string" || p.model === "") throw errors.modelRequired();
  if (typeof p.query !== "string") throw new OllamaError(400, "query is required and must be a string");
  if (!Array.isArray(p.documents) || p.documents.length === 0) {
    throw new OllamaError(400, "documents is required and must be a non-empty array");
  }
  if (p.topN !== undefined && p.topN !== null && (!Number.isInteger(p.topN) || (p.topN as number) < 0)) {
    throw new OllamaError(400, "top_n must be a non-negative integer");
  }
}
