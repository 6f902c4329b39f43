// The CLI's HTTP client for the tollama (Ollama) API. Plain fetch rather than the `ollama` npm
// package: the CLI needs endpoints it lacks (blobs, create with files, verbose show) and errors
// worded like Ollama's Go client.
import { STATUS_CODES } from "node:http";
import { Readable } from "node:stream";
import { nodeFetch } from "./http.js";

export const NOT_RUNNING = "could not connect to tollama server, run 'tollama serve' to start it";

/** An HTTP error; message is the server's `error` text (prefixed by the status for streams). */
export class StatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "StatusError";
  }
}

export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionError";
  }
}

type FetchFn = (input: string, init?: RequestInit & { duplex?: "half" }) => Promise<Response>;

export interface ProgressResponse {
  status?: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface Metrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface GenerateChunk extends Metrics {
  response?: string;
  thinking?: string;
  done?: boolean;
  context?: number[];
}

export interface ChatMessage {
  role: string;
  content: string;
  thinking?: string;
}

export interface ChatChunk extends Metrics {
  message?: ChatMessage;
  done?: boolean;
}

export interface ListModel {
  name: string;
  model?: string;
  digest: string;
  size: number;
  modified_at?: string;
  remote_model?: string;
}

export interface RunningModel {
  name: string;
  digest: string;
  size: number;
  size_vram: number;
  expires_at?: string;
  context_length?: number;
}

export interface ShowResponse {
  license?: string;
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  details?: { family?: string; parameter_size?: string; quantization_level?: string };
  messages?: ChatMessage[];
  model_info?: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
  tensors?: { name: string; type: string; shape: number[] }[];
  capabilities?: string[];
  requires?: string;
  remote_model?: string;
  remote_host?: string;
}

function connectionFailure(err: unknown): Error {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED" || cause?.code === "ENOENT") return new ConnectionError(NOT_RUNNING);
  return new ConnectionError(cause?.message ?? (err instanceof Error ? err.message : String(err)));
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // Not JSON: the whole body is the message, as in Ollama's client.
  }
  return body;
}

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield line;
    }
  }
  buf += decoder.decode();
  if (buf.trim()) yield buf.trim();
}

export class Client {
  constructor(
    readonly base: string,
    private readonly fetchFn: FetchFn = nodeFetch,
  ) {}

  private async send(
    method: string,
    path: string,
    init: RequestInit & { duplex?: "half" } = {},
  ): Promise<Response> {
    try {
      return await this.fetchFn(`${this.base}${path}`, { method, ...init });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw connectionFailure(err);
    }
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, {
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 400) throw new StatusError(res.status, errorText(text));
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** NDJSON objects; an `error` line (or an HTTP error) throws as Ollama's client does. */
  async *stream<T>(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<T> {
    const res = await this.send("POST", path, {
      headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const status = `${res.status} ${STATUS_CODES[res.status] ?? ""}`.trim();
    if (!res.body) {
      if (res.status >= 400) throw new StatusError(res.status, status);
      return;
    }
    for await (const line of lines(res.body)) {
      let obj: { error?: string };
      try {
        obj = JSON.parse(line) as { error?: string };
      } catch {
        if (res.status >= 400) throw new StatusError(res.status, `${status}: ${line}`);
        throw new Error(line);
      }
      if (res.status >= 400)
        throw new StatusError(res.status, obj.error ? `${status}: ${obj.error}` : status);
      if (obj.error) throw new Error(obj.error);
      yield obj as T;
    }
  }

  async heartbeat(): Promise<void> {
    const res = await this.send("HEAD", "/");
    if (res.status >= 400)
      throw new StatusError(res.status, `${res.status} ${STATUS_CODES[res.status] ?? ""}`.trim());
  }

  async version(): Promise<string> {
    return (await this.json<{ version?: string }>("GET", "/api/version")).version ?? "";
  }

  async list(): Promise<ListModel[]> {
    return (await this.json<{ models?: ListModel[] }>("GET", "/api/tags")).models ?? [];
  }

  async ps(): Promise<RunningModel[]> {
    return (await this.json<{ models?: RunningModel[] }>("GET", "/api/ps")).models ?? [];
  }

  show(model: string, verbose = false): Promise<ShowResponse> {
    return this.json<ShowResponse>("POST", "/api/show", verbose ? { model, verbose } : { model });
  }

  async copy(source: string, destination: string): Promise<void> {
    await this.json("POST", "/api/copy", { source, destination });
  }

  async delete(model: string): Promise<void> {
    await this.json("DELETE", "/api/delete", { model });
  }

  /** Whether the server already holds the blob (HEAD /api/blobs/:digest). */
  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.send("HEAD", `/api/blobs/${digest}`);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new StatusError(res.status, `${res.status} ${STATUS_CODES[res.status] ?? ""}`.trim());
  }

  async uploadBlob(digest: string, body: Readable, size: number): Promise<void> {
    const res = await this.send("POST", `/api/blobs/${digest}`, {
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      duplex: "half",
    });
    const text = await res.text();
    if (res.status >= 400) throw new StatusError(res.status, errorText(text));
  }

  create(req: Record<string, unknown>): AsyncGenerator<ProgressResponse> {
    return this.stream("/api/create", { ...req, stream: true });
  }

  pull(model: string, insecure: boolean): AsyncGenerator<ProgressResponse> {
    return this.stream("/api/pull", { model, insecure, stream: true });
  }

  push(model: string, insecure: boolean): AsyncGenerator<ProgressResponse> {
    return this.stream("/api/push", { model, insecure, stream: true });
  }

  generate(req: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<GenerateChunk> {
    return this.stream("/api/generate", req, signal);
  }

  async embed(req: Record<string, unknown>): Promise<number[][]> {
    return (await this.json<{ embeddings?: number[][] }>("POST", "/api/embed", req)).embeddings ?? [];
  }

  chat(req: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<ChatChunk> {
    return this.stream("/api/chat", req, signal);
  }
}
