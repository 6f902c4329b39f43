/** /api/generate and /api/chat: core events framed as Ollama's NDJSON chunks or one object. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";
import { NdjsonWriter, jsonType, readBody, sendJson } from "../http.js";
import { decodeChatRequest, decodeGenerateRequest } from "../wire/index.js";
import { errorReply } from "../errors.js";
import { errors } from "../../core/errors.js";
import { rfc3339Nano } from "../time.js";
import { generate } from "../../core/generate.js";
import { chat } from "../../core/chat.js";
import type { InferenceEvent, Metrics } from "../../core/inference.js";
import { collectEvents, type Collected } from "../../core/collect.js";
import type { OutputPiece } from "../../core/output.js";
import type { Logprob } from "../../engine/types.js";
import { wireLogprobs } from "../wire/logprobs.js";

type Kind = "generate" | "chat";

export function inferenceRoutes(ctx: RouteContext): Route[] {
  return [
    { method: "POST", path: "/api/generate", handler: (req, res) => handle(ctx, "generate", req, res) },
    { method: "POST", path: "/api/chat", handler: (req, res) => handle(ctx, "chat", req, res) },
  ];
}

async function handle(ctx: RouteContext, kind: Kind, req: IncomingMessage, res: ServerResponse) {
  const start = process.hrtime.bigint();
  const body = await readBody(req);
  const decoded =
    kind === "generate"
      ? { kind: "generate" as const, request: decodeGenerateRequest(body) }
      : { kind: "chat" as const, request: decodeChatRequest(body) };
  const stream = decoded.request.stream ?? true;
  const writer = new NdjsonWriter(res, stream ? undefined : jsonType);
  const signal = AbortSignal.any([writer.signal, ctx.shutdown]);
  const events =
    decoded.kind === "generate"
      ? generate(ctx, decoded.request, signal, start)
      : chat(ctx, decoded.request, signal, start);
  const frame = framer(kind, decoded.request.model);
  try {
    if (stream) {
      for await (const ev of events) {
        if (writer.closed) break;
        if (ctx.shutdown.aborted) throw errors.shuttingDown();
        // Loads, unloads and debug renders are one JSON object, streamed or not (Ollama's c.JSON).
        if (ev.type === "early" && !writer.headersSent) return sendJson(res, 200, frame(ev));
        writer.write(frame(ev));
      }
      writer.end();
    } else {
      const whole = aggregate(await collectEvents(events));
      if (ctx.shutdown.aborted) throw errors.shuttingDown();
      if (!writer.closed) sendJson(res, 200, frame(whole));
    }
  } catch (err) {
    const { status, message } = errorReply(err);
    writer.fail(status, message);
  }
}

/** What stream:false answers with: the done event carrying every piece and log-probability. */
type Aggregated = InferenceEvent & { piece?: OutputPiece; logprobs?: Logprob[] };

function aggregate({ piece, logprobs, last }: Collected): Aggregated {
  if (!last || last.type !== "done") return last ?? { type: "early" };
  return { ...last, piece, logprobs };
}

function framer(kind: Kind, model: string) {
  return (ev: Aggregated): Record<string, unknown> => {
    const piece = ev.type === "piece" || ev.piece ? ev.piece : undefined;
    const done = ev.type !== "piece";
    const out: Record<string, unknown> = { model, created_at: rfc3339Nano() };
    if (kind === "generate") {
      out.response = piece?.content ?? "";
      if (piece?.thinking) out.thinking = piece.thinking;
    } else if (ev.type !== "early" || !ev.debug) {
      out.message = message(piece);
    }
    if (ev.type === "early" && ev.debug) {
      if (kind === "chat") out.message = { role: "", content: "" };
      out.done = false;
      out._debug_info = {
        rendered_template: ev.debug.renderedTemplate,
        ...(ev.debug.imageCount ? { image_count: ev.debug.imageCount } : {}),
      };
      return out;
    }
    out.done = done;
    if (ev.type === "early" && ev.doneReason) out.done_reason = ev.doneReason;
    if (ev.type === "done") {
      out.done_reason = ev.doneReason;
      if (ev.context && ev.context.length > 0) out.context = ev.context;
    }
    if (kind === "generate" && piece && piece.toolCalls.length > 0) out.tool_calls = toolCalls(piece);
    if (ev.logprobs && ev.logprobs.length > 0) out.logprobs = wireLogprobs(ev.logprobs);
    if (ev.type === "done") Object.assign(out, metrics(ev.metrics));
    return out;
  };
}

function message(piece: OutputPiece | undefined): Record<string, unknown> {
  const m: Record<string, unknown> = { role: "assistant", content: piece?.content ?? "" };
  if (piece?.thinking) m.thinking = piece.thinking;
  if (piece && piece.toolCalls.length > 0) m.tool_calls = toolCalls(piece);
  return m;
}

function toolCalls(piece: OutputPiece) {
  return piece.toolCalls.map((c) => ({
    ...(c.id ? { id: c.id } : {}),
    function: { index: c.function.index, name: c.function.name, arguments: c.function.arguments },
  }));
}

function metrics(m: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  if (m.totalNs) out.total_duration = m.totalNs;
  if (m.loadNs) out.load_duration = m.loadNs;
  if (m.promptEvalCount) out.prompt_eval_count = m.promptEvalCount;
  if (m.promptEvalNs) out.prompt_eval_duration = m.promptEvalNs;
  if (m.evalCount) out.eval_count = m.evalCount;
  if (m.evalNs) out.eval_duration = m.evalNs;
  return out;
}
