/**
 * The OpenAI-compatible API under /v1: chat completions, completions and models, framed as
 * Ollama's middleware/openai.go frames them (SSE chunks, a separate finish chunk, an optional
 * usage chunk, `data: [DONE]`), with errors in OpenAI's `{"error": {...}}` shape; responses.ts
 * has the Responses API.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../api/server.js";
import type { RouteContext } from "../api/routes/context.js";
import { abortOnClose, readBody, sendJson } from "../api/http.js";
import { goJson } from "../store/index.js";
import { decodeShowRequest } from "../api/wire/index.js";
import { chat } from "../core/chat.js";
import { generate } from "../core/generate.js";
import { showModel } from "../core/show.js";
import type { InferenceEvent, Metrics } from "../core/inference.js";
import { collectEvents } from "../core/collect.js";
import type { Logprob } from "../engine/types.js";
import { wireLogprobs } from "../api/wire/logprobs.js";
import type { OutputPiece } from "../core/output.js";
import type { ParsedToolCall } from "../tools/index.js";
import { parseName } from "../store/names.js";
import { SseWriter } from "./sse.js";
import { replyError, sendOpenAIError } from "./errors.js";
import { fromChatCompletion, fromCompletion } from "./request.js";
import { bindJson, chatCompletionRequest, completionRequest } from "../api/wire/index.js";
import { responses } from "./responses.js";

export function openaiRoutes(ctx: RouteContext): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/chat/completions",
      handler: (req, res) => guarded(res, () => chatCompletions(ctx, req, res)),
    },
    {
      method: "POST",
      path: "/v1/completions",
      handler: (req, res) => guarded(res, () => completions(ctx, req, res)),
    },
    {
      method: "POST",
      path: "/v1/responses",
      handler: (req, res) => guarded(res, () => responses(ctx, req, res)),
    },
    { method: "GET", path: "/v1/models", handler: (_req, res) => guarded(res, () => listModels(ctx, res)) },
    {
      method: "GET",
      path: "/v1/models/:model",
      handler: (_req, res, params) => guarded(res, () => retrieveModel(ctx, res, params.model ?? "")),
    },
  ];
}

async function guarded(res: ServerResponse, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    sendOpenAIError(res, err);
  }
}

const fingerprint = "fp_ollama";
const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomId = (prefix: string) => `${prefix}-${Math.floor(Math.random() * 999)}`;

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function usage(m: Metrics | undefined): Usage {
  const p = m?.promptEvalCount ?? 0;
  const c = m?.evalCount ?? 0;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

export function openaiToolCalls(calls: readonly ParsedToolCall[]) {
  return calls.map((c) => ({
    id: c.id ?? "",
    index: c.function.index,
    type: "function",
    function: { name: c.function.name, arguments: goJson(c.function.arguments) },
  }));
}

/** Collects a whole answer: all pieces joined, and how it ended. */
async function collect(events: AsyncIterable<InferenceEvent>) {
  const { piece, logprobs, last } = await collectEvents(events);
  const doneReason = last?.doneReason;
  const metrics = last?.type === "done" ? last.metrics : undefined;
  const debug = last?.type === "early" ? last.debug : undefined;
  return { piece, doneReason, metrics, logprobs, debug };
}

/** A choice's `logprobs` as Ollama writes it for chat; absent when there are none. */
function chatLogprobs(logprobs: readonly Logprob[] | undefined) {
  return logprobs && logprobs.length > 0 ? { logprobs: { content: wireLogprobs(logprobs) } } : {};
}

// ---- /v1/chat/completions ----

async function chatCompletions(ctx: RouteContext, req: IncomingMessage, res: ServerResponse) {
  const start = process.hrtime.bigint();
  const conv = fromChatCompletion(bindJson(await readBody(req), chatCompletionRequest));
  const id = randomId("chatcmpl");
  const model = conv.model;
  if (!conv.stream) {
    const clientGone = abortOnClose(res);
    const { piece, doneReason, metrics, logprobs, debug } = await collect(
      chat(ctx, conv.request, clientGone, start),
    );
    if (clientGone.aborted) return;
    const calls = openaiToolCalls(piece.toolCalls);
    let finish: string | null = doneReason ?? null;
    if (finish === "stop" && calls.length > 0) finish = "tool_calls";
    // Ollama's render-only reply has no message, so its role comes out empty
    const message: Record<string, unknown> = { role: debug ? "" : "assistant", content: piece.content };
    if (piece.thinking) message.reasoning = piece.thinking;
    if (calls.length > 0) message.tool_calls = calls;
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created: nowSeconds(),
      model,
      system_fingerprint: fingerprint,
      choices: [{ index: 0, message, finish_reason: finish, ...chatLogprobs(logprobs) }],
      usage: usage(metrics),
      ...(debug
        ? { _debug_info: { rendered_template: debug.renderedTemplate, image_count: debug.imageCount } }
        : {}),
    });
    return;
  }

  const sse = new SseWriter(res);
  const created = nowSeconds();
  const chunk = (delta: Record<string, unknown>, finish: string | null, logprobs?: readonly Logprob[]) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: fingerprint,
    choices: [{ index: 0, delta, finish_reason: finish, ...chatLogprobs(logprobs) }],
  });
  let first = true;
  let toolCallSent = false;
  const emit = (p: OutputPiece, logprobs?: readonly Logprob[]) => {
    const role = first ? { role: "assistant" } : {};
    const calls = openaiToolCalls(p.toolCalls);
    if (calls.length > 0) toolCallSent = true;
    const mixed = p.thinking !== "" && (p.content !== "" || calls.length > 0);
    if (mixed) {
      // OpenAI clients expect reasoning and content in separate deltas; the log-probabilities
      // ride on the first, as in Ollama.
      sse.data(chunk({ ...role, reasoning: p.thinking }, null, logprobs));
      sse.data(chunk({ content: p.content, ...(calls.length > 0 ? { tool_calls: calls } : {}) }, null));
    } else {
      sse.data(
        chunk(
          {
            ...role,
            content: p.content,
            ...(p.thinking ? { reasoning: p.thinking } : {}),
            ...(calls.length > 0 ? { tool_calls: calls } : {}),
          },
          null,
          logprobs,
        ),
      );
    }
    first = false;
  };
  try {
    for await (const ev of chat(ctx, conv.request, sse.signal, start)) {
      if (sse.closed) return;
      if (ev.type === "piece") {
        emit(ev.piece, ev.logprobs);
        continue;
      }
      // A wholly empty answer still opens with a role chunk.
      if (first) emit({ content: "", thinking: "", toolCalls: [] });
      let reason = ev.doneReason ?? "stop";
      if (reason === "stop" && toolCallSent) reason = "tool_calls";
      sse.data(chunk({}, reason));
      if (conv.includeUsage) {
        sse.data({
          ...chunk({}, null),
          choices: [],
          usage: usage(ev.type === "done" ? ev.metrics : undefined),
        });
      }
    }
    sse.data("[DONE]");
    sse.end();
  } catch (err) {
    streamFailure(sse, res, err);
  }
}

/** Before the first event: a plain error reply; after it: an error event, then the end. */
function streamFailure(sse: SseWriter, res: ServerResponse, err: unknown) {
  if (sse.closed) return;
  if (!sse.headersSent) {
    sendOpenAIError(res, err);
    return;
  }
  sse.data(replyError(err).body);
  sse.end();
}

// ---- /v1/completions ----

async function completions(ctx: RouteContext, req: IncomingMessage, res: ServerResponse) {
  const start = process.hrtime.bigint();
  const conv = fromCompletion(bindJson(await readBody(req), completionRequest));
  const id = randomId("cmpl");
  const model = conv.model;
  if (!conv.stream) {
    const clientGone = abortOnClose(res);
    const { piece, doneReason, metrics, logprobs } = await collect(
      generate(ctx, conv.request, clientGone, start, false),
    );
    if (clientGone.aborted) return;
    const text = conv.echo + piece.content;
    const lp = legacyLogprobs(logprobs, conv.echo.length);
    sendJson(res, 200, {
      id,
      object: "text_completion",
      created: nowSeconds(),
      model,
      system_fingerprint: fingerprint,
      choices: [{ text, index: 0, finish_reason: doneReason ?? null, ...lp }],
      usage: usage(metrics),
    });
    return;
  }
  const sse = new SseWriter(res);
  const created = nowSeconds();
  // With include_usage, Ollama's completion chunks all carry a usage of zeros before the real one.
  const noUsage = conv.includeUsage
    ? { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }
    : {};
  const chunk = (text: string, finish: string | null, logprobs?: Record<string, unknown>) => ({
    id,
    object: "text_completion",
    created,
    choices: [{ text, index: 0, finish_reason: finish, ...logprobs }],
    model,
    system_fingerprint: fingerprint,
    ...noUsage,
  });
  let offset = conv.echo.length;
  try {
    if (conv.echo !== "") sse.data(chunk(conv.echo, null));
    for await (const ev of generate(ctx, conv.request, sse.signal, start, false)) {
      if (sse.closed) return;
      if (ev.type === "piece") {
        const text = ev.piece.content;
        if (text !== "" || ev.logprobs?.length)
          sse.data(chunk(text, null, legacyLogprobs(ev.logprobs, offset)));
        offset += text.length;
        continue;
      }
      sse.data(chunk("", ev.doneReason ?? "stop"));
      if (conv.includeUsage) {
        sse.data({
          ...chunk("", null),
          choices: [],
          usage: usage(ev.type === "done" ? ev.metrics : undefined),
        });
      }
    }
    sse.data("[DONE]");
    sse.end();
  } catch (err) {
    streamFailure(sse, res, err);
  }
}

/**
 * /v1/completions' logprobs in OpenAI's legacy shape (Ollama leaves them out there): parallel
 * lists of tokens, their log-probabilities, the alternatives as token-to-logprob maps, and where
 * each token starts in the choice's text (from `offset`, the text sent before this chunk).
 */
function legacyLogprobs(logprobs: readonly Logprob[] | undefined, offset: number) {
  if (!logprobs || logprobs.length === 0) return {};
  const textOffset: number[] = [];
  for (const l of logprobs) {
    textOffset.push(offset);
    offset += l.token.length;
  }
  return {
    logprobs: {
      tokens: logprobs.map((l) => l.token),
      token_logprobs: logprobs.map((l) => l.logprob),
      top_logprobs: logprobs.map((l) => Object.fromEntries(l.top.map((t) => [t.token, t.logprob]))),
      text_offset: textOffset,
    },
  };
}

// ---- /v1/models ----

async function listModels(ctx: RouteContext, res: ServerResponse) {
  const entries = await ctx.models.list();
  const data = entries.map(({ summary }) => {
    const id = summary.model;
    return {
      id,
      object: "model",
      created: Math.floor(summary.modifiedAt.getTime() / 1000),
      owned_by: parseName(id).namespace,
    };
  });
  // Ollama's list starts as a nil slice: no models is `null`, not `[]`
  sendJson(res, 200, { object: "list", data: data.length > 0 ? data : null });
}

async function retrieveModel(ctx: RouteContext, res: ServerResponse, name: string) {
  const request = decodeShowRequest(JSON.stringify({ model: name }));
  const { modifiedAt } = await showModel({ store: ctx.store, models: ctx.models }, request);
  sendJson(res, 200, {
    id: name,
    object: "model",
    created: Math.floor(modifiedAt.getTime() / 1000),
    owned_by: parseName(name).namespace,
  });
}
