/**
 * POST /v1/responses, OpenAI's Responses API over tollama's chat, answered as Ollama's
 * ResponsesMiddleware answers it: one `response` object, or with `stream: true` the named SSE
 * events (response.created, output items and their deltas, response.completed) with a running
 * sequence_number. Stream payloads are Go maps in Ollama, so their keys are written sorted.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RouteContext } from "../api/routes/context.js";
import { abortOnClose, readBody } from "../api/http.js";
import { goJson, goJsonLine } from "../store/index.js";
import { chat } from "../core/chat.js";
import { collectEvents } from "../core/collect.js";
import type { Metrics } from "../core/inference.js";
import type { ParsedToolCall } from "../tools/index.js";
import { SseWriter } from "./sse.js";
import { replyError, sendOpenAIError } from "./errors.js";
import { bindJson, opaqueStruct } from "../api/wire/index.js";

/** Ollama binds /v1/responses to openai.ResponsesRequest; its fields are checked by fromResponses. */
const responsesRequest = opaqueStruct("openai.ResponsesRequest");
import { fromResponses, type ResponsesEcho } from "./responses-request.js";

type Obj = Record<string, unknown>;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const randomNumber = () => Math.floor(Math.random() * 999999);

export async function responses(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const start = process.hrtime.bigint();
  const conv = fromResponses(bindJson(await readBody(req), responsesRequest));
  const responseId = `resp_${randomNumber()}`;
  const itemId = `msg_${randomNumber()}`;
  const shape = new ResponseShape(responseId, conv.model, conv.echo);
  if (!conv.stream) {
    const clientGone = abortOnClose(res);
    const { piece, last } = await collectEvents(chat(ctx, conv.request, clientGone, start));
    if (clientGone.aborted) return;
    const output: Obj[] = [];
    if (piece.thinking) output.push(reasoningItem(`rs_${responseId}`, piece.thinking));
    // Text the model wrote before its calls stays, ahead of them (Ollama drops it).
    if (piece.content !== "" || piece.toolCalls.length === 0)
      output.push(messageItem(itemId, piece.content, "completed"));
    output.push(...piece.toolCalls.map((c, i) => functionCallItem(`fc_${responseId}_${i}`, c, "completed")));
    const metrics = last?.type === "done" ? last.metrics : undefined;
    const body = shape.object("completed", output, usage(metrics), false);
    body.completed_at = nowSeconds();
    const text = goJsonLine(body);
    res.writeHead(200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
    return;
  }

  const sse = new SseWriter(res);
  const stream = new ResponseStream(shape, itemId, (type, data) => sse.event(type, data, { sortKeys: true }));
  try {
    for await (const ev of chat(ctx, conv.request, sse.signal, start)) {
      if (sse.closed) return;
      stream.begin();
      if (ev.type === "piece") {
        const p = ev.piece;
        if (p.thinking) stream.thinking(p.thinking);
        if (p.content) stream.text(p.content);
        if (p.toolCalls.length > 0) stream.toolCalls(p.toolCalls);
        continue;
      }
      stream.complete(usage(ev.type === "done" ? ev.metrics : undefined));
    }
    sse.end();
  } catch (err) {
    if (sse.closed) return;
    if (!sse.headersSent) return sendOpenAIError(res, err);
    // OpenAI ends a failed stream with response.failed, which the SDKs raise as an error.
    stream.fail(replyError(err).body.error.message);
    sse.end();
  }
}

function usage(m: Metrics | undefined): Obj {
  const input = m?.promptEvalCount ?? 0;
  const output = m?.evalCount ?? 0;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}

function outputText(text: string): Obj {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function messageItem(id: string, text: string, status: string): Obj {
  return { id, type: "message", status, role: "assistant", content: [outputText(text)] };
}

function reasoningItem(id: string, thinking: string): Obj {
  // Thinking is returned as readable text in both places, as Ollama does.
  return {
    id,
    type: "reasoning",
    summary: [{ type: "summary_text", text: thinking }],
    encrypted_content: thinking,
  };
}

function functionCallItem(
  id: string,
  call: ParsedToolCall,
  status: string,
  args = goJson(call.function.arguments),
): Obj {
  return {
    id,
    type: "function_call",
    status,
    call_id: call.id ?? "",
    name: call.function.name,
    arguments: args,
  };
}

/** The `response` object around the output, echoing the request as Ollama's ToResponse does. */
class ResponseShape {
  private readonly createdAt = nowSeconds();

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly echo: ResponsesEcho,
  ) {}

  object(status: string, output: Obj[], usage: Obj | null, streamed: boolean): Obj {
    const e = this.echo;
    return {
      id: this.id,
      object: "response",
      created_at: streamed ? nowSeconds() : this.createdAt,
      completed_at: null,
      status,
      incomplete_details: null,
      model: this.model,
      previous_response_id: null,
      instructions: e.instructions || null,
      output,
      error: null,
      tools: e.tools.map(echoTool),
      tool_choice: e.toolChoice,
      truncation: e.truncation,
      parallel_tool_calls: true,
      text: { format: e.textFormat ? echoFormat(e.textFormat) : { type: "text" } },
      top_p: e.topP ?? 1.0,
      presence_penalty: 0,
      frequency_penalty: 0,
      top_logprobs: 0,
      temperature: e.temperature ?? 1.0,
      reasoning: this.reasoning(streamed),
      usage,
      max_output_tokens: e.maxOutputTokens ?? null,
      max_tool_calls: null,
      store: false,
      background: e.background,
      service_tier: "default",
      metadata: {},
      safety_identifier: null,
      prompt_cache_key: null,
    };
  }

  /** Absent fields are left out of a whole response and null in a streamed one (Ollama's two writers). */
  private reasoning(streamed: boolean): Obj | null {
    const { effort, summary } = this.echo;
    if (!effort && !summary) return null;
    if (streamed) return { effort: effort || null, summary: summary || null };
    return { ...(effort ? { effort } : {}), ...(summary ? { summary } : {}) };
  }
}

function echoTool(t: unknown): Obj {
  const o = (typeof t === "object" && t !== null ? t : {}) as Obj;
  return {
    type: o.type ?? "",
    name: o.name ?? "",
    description: o.description ?? null,
    strict: o.strict ?? null,
    parameters: o.parameters ?? null,
    ...(Array.isArray(o.tools) ? { tools: o.tools.map(echoTool) } : {}),
  };
}

function echoFormat(f: Obj): Obj {
  return {
    type: f.type ?? "",
    ...(typeof f.name === "string" && f.name ? { name: f.name } : {}),
    ...(f.schema !== undefined && f.schema !== null ? { schema: f.schema } : {}),
    ...(typeof f.strict === "boolean" ? { strict: f.strict } : {}),
  };
}

type Emit = (type: string, data: Obj) => void;

/**
 * The event sequence of one streamed response: reasoning first (summary deltas), then a message
 * (added, a content part, text deltas, done) and function calls (each added, its arguments, done),
 * and response.completed with every item in order.
 */
class ResponseStream {
  private sequence = 0;
  private started = false;
  private outputIndex = 0;
  private readonly done: Obj[] = [];
  private reasoningId = "";
  private thought = "";
  private textStarted = false;
  private text_ = "";
  private callsSent = false;

  constructor(
    private readonly shape: ResponseShape,
    private readonly itemId: string,
    private readonly write: Emit,
  ) {}

  private emit(type: string, data: Obj): void {
    this.write(type, { ...data, type, sequence_number: this.sequence++ });
  }

  begin(): void {
    if (this.started) return;
    this.started = true;
    this.emit("response.created", { response: this.shape.object("in_progress", [], null, true) });
    this.emit("response.in_progress", { response: this.shape.object("in_progress", [], null, true) });
  }

  thinking(delta: string): void {
    if (!this.reasoningId) {
      this.reasoningId = `rs_${randomNumber()}`;
      this.emit("response.output_item.added", {
        output_index: this.outputIndex,
        item: { id: this.reasoningId, type: "reasoning", summary: [] },
      });
    }
    this.thought += delta;
    this.emit("response.reasoning_summary_text.delta", {
      item_id: this.reasoningId,
      output_index: this.outputIndex,
      summary_index: 0,
      delta,
    });
  }

  private finishReasoning(): void {
    if (!this.reasoningId) return;
    const item = reasoningItem(this.reasoningId, this.thought);
    const at = this.outputIndex++;
    this.emit("response.reasoning_summary_text.done", {
      item_id: this.reasoningId,
      output_index: at,
      summary_index: 0,
      text: this.thought,
    });
    this.emit("response.output_item.done", { output_index: at, item });
    this.done.push(item);
    this.reasoningId = "";
    this.thought = "";
  }

  toolCalls(calls: readonly ParsedToolCall[]): void {
    this.finishReasoning();
    this.finishMessage();
    this.callsSent = true;
    for (const [i, call] of calls.entries()) {
      const id = `fc_${randomNumber()}_${i}`;
      const at = this.outputIndex + i;
      const args = goJson(call.function.arguments);
      const item = functionCallItem(id, call, "completed", args);
      this.emit("response.output_item.added", {
        output_index: at,
        item: functionCallItem(id, call, "in_progress", ""),
      });
      this.emit("response.function_call_arguments.delta", { item_id: id, output_index: at, delta: args });
      this.emit("response.function_call_arguments.done", { item_id: id, output_index: at, arguments: args });
      this.emit("response.output_item.done", { output_index: at, item });
      this.done.push(item);
    }
    this.outputIndex += calls.length;
  }

  text(delta: string): void {
    // Text after a function call is dropped, as in Ollama.
    if (this.callsSent) return;
    this.finishReasoning();
    if (!this.textStarted) {
      this.textStarted = true;
      this.emit("response.output_item.added", {
        output_index: this.outputIndex,
        item: { id: this.itemId, type: "message", status: "in_progress", role: "assistant", content: [] },
      });
      this.emit("response.content_part.added", {
        item_id: this.itemId,
        output_index: this.outputIndex,
        content_index: 0,
        part: outputText(""),
      });
    }
    this.text_ += delta;
    this.emit("response.output_text.delta", {
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: 0,
      delta,
      logprobs: [],
    });
  }

  /** Closes the message: text before function calls is an item of its own, ahead of them. */
  private finishMessage(): void {
    if (!this.textStarted) return;
    this.textStarted = false;
    const item = messageItem(this.itemId, this.text_, "completed");
    const at = this.outputIndex++;
    const ids = { item_id: this.itemId, output_index: at, content_index: 0 };
    this.emit("response.output_text.done", { ...ids, text: this.text_, logprobs: [] });
    this.emit("response.content_part.done", { ...ids, part: outputText(this.text_) });
    this.emit("response.output_item.done", { output_index: at, item });
    this.done.push(item);
  }

  complete(usage: Obj): void {
    this.finishReasoning();
    this.finishMessage();
    const response = this.shape.object("completed", [...this.done], usage, true);
    response.completed_at = nowSeconds();
    this.emit("response.completed", { response });
  }

  fail(message: string): void {
    const response = this.shape.object("failed", [...this.done], null, true);
    response.error = { code: "server_error", message };
    this.emit("response.failed", { response });
  }
}
