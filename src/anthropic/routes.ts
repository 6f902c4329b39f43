/**
 * The Anthropic Messages API: POST /v1/messages (one message object, or Anthropic's event stream)
 * and POST /v1/messages/count_tokens, with errors as `{"type":"error","error":{type,message}}`.
 * Streaming follows Anthropic's event order: message_start, ping, then per content block
 * content_block_start / content_block_delta... / content_block_stop, then message_delta (stop
 * reason and usage) and message_stop.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../api/server.js";
import type { RouteContext } from "../api/routes/context.js";
import { abortOnClose, readBody, sendJson } from "../api/http.js";
import { errorReply } from "../api/errors.js";
import type { Think } from "../api/wire/index.js";
import { chat } from "../core/chat.js";
import { collectEvents } from "../core/collect.js";
import { effectiveOptions, resolveModel, schedule } from "../core/inference.js";
import { errors } from "../core/errors.js";
import { tokenizePrompt } from "../core/complete.js";
import type { ParsedToolCall } from "../tools/index.js";
import { goJson } from "../store/index.js";
import { SseWriter } from "../openai/sse.js";
import { estimateTokens, fromMessagesRequest, parseBody, type MessagesConversion } from "./request.js";

export function anthropicRoutes(ctx: RouteContext): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/messages",
      handler: (req, res) => guarded(res, () => messages(ctx, req, res)),
    },
    {
      method: "POST",
      path: "/v1/messages/count_tokens",
      handler: (req, res) => guarded(res, () => countTokens(ctx, req, res)),
    },
  ];
}

export function errorType(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/** Anthropic's error envelope, with a request id as the real API and Ollama send. */
function errorBody(err: unknown) {
  const { status, message } = errorReply(err);
  const body = {
    type: "error",
    error: { type: errorType(status), message },
    request_id: `req_${randomBytes(12).toString("hex")}`,
  };
  return { status, body };
}

async function guarded(res: ServerResponse, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const { status, body } = errorBody(err);
    sendJson(res, status, body);
  }
}

const messageId = () => `msg_${randomBytes(12).toString("hex")}`;

/** The model decides thinking: requested thinking on a model that cannot think is dropped, not an error. */
async function prepare(ctx: RouteContext, conv: MessagesConversion) {
  const model = await resolveModel(ctx, conv.model, { empty: errors.modelRequired });
  if (conv.think !== undefined) {
    const canThink = model.capabilities.includes("thinking");
    if (canThink || conv.think === false) conv.request.think = conv.think as Think;
  }
  return model;
}

function stopReason(
  doneReason: string | undefined,
  hasToolCalls: boolean,
  stopSequence?: string,
): string | null {
  if (hasToolCalls) return "tool_use";
  if (stopSequence !== undefined) return "stop_sequence";
  if (doneReason === "stop") return "end_turn";
  if (doneReason === "length") return "max_tokens";
  return doneReason ? "end_turn" : null;
}

function toolUse(c: ParsedToolCall) {
  return {
    type: "tool_use",
    id: c.id || `toolu_${randomBytes(12).toString("hex")}`,
    name: c.function.name,
    input: c.function.arguments,
  };
}

async function messages(ctx: RouteContext, req: IncomingMessage, res: ServerResponse) {
  const start = process.hrtime.bigint();
  const body = parseBody(await readBody(req));
  const conv = fromMessagesRequest(body);
  await prepare(ctx, conv);
  const id = messageId();
  const model = conv.model;

  if (!conv.stream) {
    const clientGone = abortOnClose(res);
    const { piece, last } = await collectEvents(chat(ctx, conv.request, clientGone, start));
    const { thinking, content: text, toolCalls: calls } = piece;
    const done = last?.type === "done" ? last : undefined;
    const doneReason = done?.doneReason;
    const stopSequence = done?.stopSequence;
    const metrics = done?.metrics;
    if (clientGone.aborted) return;
    const content: unknown[] = [];
    if (thinking) content.push({ type: "thinking", thinking, signature: "" });
    if (text) content.push({ type: "text", text });
    for (const c of calls) content.push(toolUse(c));
    sendJson(res, 200, {
      id,
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: stopReason(doneReason, calls.length > 0, stopSequence),
      stop_sequence: calls.length === 0 ? (stopSequence ?? null) : null,
      usage: { input_tokens: metrics?.promptEvalCount ?? 0, output_tokens: metrics?.evalCount ?? 0 },
    });
    return;
  }

  const sse = new SseWriter(res);
  const estimated = estimateTokens(body);
  let index = 0;
  let open: "thinking" | "text" | undefined;
  let toolCalls = 0;
  const closeBlock = () => {
    if (!open) return;
    sse.event("content_block_stop", { type: "content_block_stop", index });
    index++;
    open = undefined;
  };
  const openBlock = (kind: "thinking" | "text") => {
    if (open === kind) return;
    closeBlock();
    open = kind;
    const block = kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "" };
    sse.event("content_block_start", { type: "content_block_start", index, content_block: block });
  };
  try {
    // The first event comes before message_start, so errors found up front (capabilities,
    // options, loading) still arrive as a plain error reply with their status.
    const events = chat(ctx, conv.request, sse.signal, start);
    let step = await events.next();
    sse.event("message_start", {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: estimated, output_tokens: 0 },
      },
    });
    sse.event("ping", { type: "ping" });
    for (; !step.done; step = await events.next()) {
      const ev = step.value;
      if (sse.closed) {
        await events.return(undefined);
        return;
      }
      if (ev.type === "piece") {
        const p = ev.piece;
        if (p.thinking) {
          openBlock("thinking");
          sse.event("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "thinking_delta", thinking: p.thinking },
          });
        }
        if (p.content) {
          openBlock("text");
          sse.event("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "text_delta", text: p.content },
          });
        }
        for (const c of p.toolCalls) {
          closeBlock();
          const block = toolUse(c);
          sse.event("content_block_start", {
            type: "content_block_start",
            index,
            content_block: { ...block, input: {} },
          });
          sse.event("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: goJson(c.function.arguments) },
          });
          sse.event("content_block_stop", { type: "content_block_stop", index });
          index++;
          toolCalls++;
        }
        continue;
      }
      if (ev.type !== "done") continue;
      closeBlock();
      sse.event("message_delta", {
        type: "message_delta",
        delta: {
          stop_reason: stopReason(ev.doneReason, toolCalls > 0, ev.stopSequence),
          stop_sequence: toolCalls === 0 ? (ev.stopSequence ?? null) : null,
        },
        usage: { input_tokens: ev.metrics.promptEvalCount, output_tokens: ev.metrics.evalCount },
      });
      sse.event("message_stop", { type: "message_stop" });
    }
    sse.end();
  } catch (err) {
    if (sse.closed) return;
    const { status, body: errBody } = errorBody(err);
    if (!sse.headersSent) {
      sendJson(res, status, errBody);
      return;
    }
    sse.event("error", errBody);
    sse.end();
  }
}

/**
 * The prompt exactly as /v1/messages would render it (chat's own render-only path, untruncated),
 * tokenized by the loaded model: the model is loaded (or kept) by the scheduler as for a request.
 */
async function countTokens(ctx: RouteContext, req: IncomingMessage, res: ServerResponse) {
  const start = process.hrtime.bigint();
  const conv = fromMessagesRequest(parseBody(await readBody(req)), true);
  const model = await prepare(ctx, conv);
  conv.request.debugRenderOnly = true;
  conv.request.truncate = false;
  let prompt: string | undefined;
  for await (const ev of chat(ctx, conv.request, new AbortController().signal, start)) {
    if (ev.type === "early" && ev.debug) prompt = ev.debug.renderedTemplate;
  }
  if (prompt === undefined) throw new Error("could not render the prompt");
  const eff = effectiveOptions(ctx.config, model, conv.request.options);
  const lease = await schedule(ctx, model, eff, conv.request.keepAlive);
  let count: number;
  try {
    count = tokenizePrompt(lease.model, prompt).length;
  } finally {
    lease.release();
  }
  sendJson(res, 200, { input_tokens: count });
}
