/**
 * Server-sent events over Node's raw response, as the OpenAI and Anthropic APIs frame them:
 * `data: {json}\n\n` (OpenAI, ending with `data: [DONE]`) or `event: name\ndata: {json}\n\n`
 * (Anthropic). `signal` aborts when the client goes away, so generation stops at the next token.
 */
import type { ServerResponse } from "node:http";
import { goJson } from "../store/index.js";
import { StreamedBody, abortOnClose } from "../api/http.js";

export class SseWriter {
  readonly signal: AbortSignal;
  private started = false;
  private readonly body: StreamedBody;

  constructor(private readonly res: ServerResponse) {
    this.signal = abortOnClose(res);
    this.body = new StreamedBody(res);
  }

  get closed(): boolean {
    return this.signal.aborted;
  }

  get headersSent(): boolean {
    return this.started;
  }

  private begin(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
  }

  /** One `data:` event; a string is written as is (`[DONE]`), anything else as JSON. */
  data(value: unknown): void {
    if (this.closed) return;
    this.begin();
    this.body.write(`data: ${typeof value === "string" ? value : goJson(value)}\n\n`);
  }

  /** One named event (Anthropic's and the Responses API's framing); sortKeys as Go writes maps. */
  event(name: string, value: unknown, options: { sortKeys?: boolean } = {}): void {
    if (this.closed) return;
    this.begin();
    this.body.write(`event: ${name}\ndata: ${goJson(value, options)}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.begin();
    this.res.end();
  }
}
