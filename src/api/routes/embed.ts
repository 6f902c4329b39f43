/**
 * Embeddings and reranking over HTTP: Ollama's /api/embed and legacy /api/embeddings, OpenAI's
 * /v1/embeddings (float or base64), and /api/rerank + /v1/rerank in the common rerank shape.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";
import { abortOnClose, readBody, sendJson } from "../http.js";
import { errorReply } from "../errors.js";
import { decodeEmbedRequest, decodeEmbeddingRequest, embedInputStrings, type GoAny } from "../wire/index.js";
import { embed, legacyEmbedding, type EmbedInput } from "../../core/embed.js";
import { rerank, validateRerank } from "../../core/rerank.js";
import { errors, OllamaError } from "../../core/errors.js";

type ErrorStyle = "ollama" | "openai";

export function embedRoutes(ctx: RouteContext): Route[] {
  const route = (path: string, style: ErrorStyle, fn: Handler): Route => ({
    method: "POST",
    path,
    handler: (req, res) => guarded(style, req, res, (signal) => fn(ctx, req, res, signal)),
  });
  return [
    route("/api/embed", "ollama", handleEmbed),
    route("/api/embeddings", "ollama", handleLegacy),
    route("/v1/embeddings", "openai", handleOpenAiEmbeddings),
    route("/api/rerank", "ollama", handleRerank),
    route("/v1/rerank", "openai", handleRerank),
  ];
}

type Handler = (
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) => Promise<void>;

/** Runs a handler with an abort signal for a client that goes away, and maps its errors. */
async function guarded(
  style: ErrorStyle,
  req: IncomingMessage,
  res: ServerResponse,
  run: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const signal = abortOnClose(res);
  try {
    await run(signal);
  } catch (err) {
    if (res.headersSent || signal.aborted) return;
    const { status, message } = errorReply(err);
    sendJson(res, status, style === "openai" ? openAiError(status, message) : { error: message });
  }
}

/** OpenAI's error body, typed by status as Ollama's compatibility layer does. */
export function openAiError(status: number, message: string) {
  const type = status === 400 ? "invalid_request_error" : status === 404 ? "not_found_error" : "api_error";
  return { error: { message, type, param: null, code: null } };
}

async function handleEmbed(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) {
  const start = process.hrtime.bigint();
  const r = decodeEmbedRequest(await readBody(req));
  const inputs = embedInputStrings(r.input);
  const out = await embed(
    ctx,
    {
      model: r.model,
      inputs,
      truncate: r.truncate,
      dimensions: r.dimensions,
      keepAlive: r.keepAlive,
      options: r.options,
    },
    signal,
    start,
  );
  const body: Record<string, unknown> = { model: r.model, embeddings: out.embeddings };
  // Go's omitempty: zero durations and counts are left out
  if (out.totalNs) body.total_duration = out.totalNs;
  if (out.loadNs) body.load_duration = out.loadNs;
  if (out.promptEvalCount) body.prompt_eval_count = out.promptEvalCount;
  sendJson(res, 200, body);
}

async function handleLegacy(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) {
  const r = decodeEmbeddingRequest(await readBody(req));
  sendJson(res, 200, { embedding: await legacyEmbedding(ctx, r, signal) });
}

async function handleOpenAiEmbeddings(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) {
  const start = process.hrtime.bigint();
  const raw = await readBody(req);
  // Ollama's own binding gives Go's messages for the shared fields (and keep_alive, options and
  // truncate, which Ollama's /v1 drops but are passed on here).
  const r = decodeEmbedRequest(raw);
  const extra = (JSON.parse(raw.toString("utf8")) ?? {}) as Record<string, unknown>;
  const format = extra.encoding_format;
  if (format !== undefined && format !== null && typeof format !== "string") {
    const got = Array.isArray(format) ? "array" : typeof format === "boolean" ? "bool" : typeof format;
    throw new OllamaError(
      400,
      `json: cannot unmarshal ${got} into Go struct field EmbedRequest.encoding_format of type string`,
    );
  }
  if (typeof format === "string" && format !== "" && !["float", "base64"].includes(format.toLowerCase())) {
    throw new OllamaError(
      400,
      `Invalid value for 'encoding_format' = ${format}. Supported values: ['float', 'base64'].`,
    );
  }
  const base64 = typeof format === "string" && format.toLowerCase() === "base64";
  const out = await embed(
    ctx,
    {
      model: r.model,
      inputs: openAiInputs(r.input),
      truncate: r.truncate,
      dimensions: r.dimensions,
      keepAlive: r.keepAlive,
      options: r.options,
    },
    signal,
    start,
  );
  sendJson(res, 200, {
    object: "list",
    data: out.embeddings.map((vector, index) => ({
      object: "embedding",
      embedding: base64 ? float32Base64(vector) : vector,
      index,
    })),
    model: r.model,
    usage: { prompt_tokens: out.promptEvalCount, total_tokens: out.promptEvalCount },
  });
}

/**
 * OpenAI's input: a string ("" embeds the empty string, as Ollama's middleware does), an array of
 * strings, and beyond Ollama token arrays (one list of ids, or a list of them).
 */
export function openAiInputs(input: GoAny | undefined): EmbedInput[] {
  if (input === "") return [""];
  if (input === undefined || input === null) throw new OllamaError(400, "invalid input");
  if (Array.isArray(input)) {
    if (input.length === 0) throw new OllamaError(400, "invalid input");
    if (input.every(isTokenId)) return [input as number[]];
    if (input.every((v) => Array.isArray(v) && v.length > 0 && v.every(isTokenId)))
      return input as number[][];
  }
  return embedInputStrings(input);
}

const isTokenId = (v: GoAny) => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Little-endian float32 bytes in base64, as OpenAI's encoding_format "base64". */
export function float32Base64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

async function handleRerank(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) {
  const start = process.hrtime.bigint();
  const raw = (await readBody(req)).toString("utf8");
  if (raw.trim() === "") throw errors.missingBody();
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    body = parsed as Record<string, unknown>;
  } catch {
    throw new OllamaError(400, "invalid JSON body: expected an object");
  }
  const topN = body.top_n ?? body.top_k;
  validateRerank({ model: body.model, query: body.query, documents: body.documents, topN });
  const documents = (body.documents as unknown[]).map((d, i) => {
    if (typeof d === "string") return d;
    if (typeof d === "object" && d !== null && typeof (d as { text?: unknown }).text === "string") {
      return (d as { text: string }).text;
    }
    throw new OllamaError(400, `documents[${i}] must be a string or an object with a "text" string`);
  });
  // keep_alive and options decode as Ollama's do everywhere else
  const common = decodeEmbedRequest(JSON.stringify({ keep_alive: body.keep_alive, options: body.options }));
  const out = await rerank(
    ctx,
    {
      model: body.model as string,
      query: body.query as string,
      documents,
      topN: typeof topN === "number" ? topN : undefined,
      keepAlive: common.keepAlive,
      options: common.options,
    },
    signal,
    start,
  );
  const withDocuments = body.return_documents === true;
  sendJson(res, 200, {
    model: body.model,
    results: out.results.map((r) => ({
      index: r.index,
      relevance_score: r.relevanceScore,
      ...(withDocuments ? { document: { text: documents[r.index] } } : {}),
    })),
    usage: { prompt_tokens: out.promptTokens, total_tokens: out.promptTokens },
  });
}
