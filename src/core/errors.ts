/**
 * The catalogue of errors a client can see, with Ollama's exact wording and status codes. Code
 * below the HTTP layer throws these; the API layer maps them to `{"error": message}` responses.
 */
import { goQuote } from "../util/goquote.js";

export class OllamaError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "OllamaError";
  }
}

const quote = goQuote;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export const errors = {
  missingBody: () => new OllamaError(400, "missing request body"),
  modelRequired: () => new OllamaError(400, "model is required"),
  /** Generate and chat name the model as given, in single quotes. */
  modelNotFound: (name: string) => new OllamaError(404, `model '${name}' not found`),
  /** show, copy and the scheduler use Go's %q. */
  modelNotFoundQuoted: (name: string) => new OllamaError(404, `model ${quote(name)} not found`),
  modelNotFoundPull: (name: string) =>
    new OllamaError(404, `model ${quote(name)} not found, try pulling it first`),
  invalidModelName: () => new OllamaError(400, "invalid model name"),
  nameInvalid: (name: string) => new OllamaError(400, `name ${quote(name)} is invalid`),
  sourceInvalid: (name: string) => new OllamaError(400, `source ${quote(name)} is invalid`),
  destinationInvalid: (name: string) => new OllamaError(400, `destination ${quote(name)} is invalid`),
  rawWithTemplate: () => new OllamaError(400, "raw mode does not support template, system, or context"),
  noGenerate: (name: string) => new OllamaError(400, `${quote(name)} does not support generate`),
  noChat: (name: string) => new OllamaError(400, `${quote(name)} does not support chat`),
  noThinking: (name: string) => new OllamaError(400, `${quote(name)} does not support thinking`),
  noEmbeddings: (name: string) => new OllamaError(400, `${quote(name)} does not support embeddings`),
  /** Not in Ollama (it has no rerank): the same wording as its other capability errors. */
  noRerank: (name: string) => new OllamaError(400, `${quote(name)} does not support reranking`),
  /** EmbedHandler: BOS/EOS alone fill the context. */
  truncatedTooLong: () => new OllamaError(400, "input after truncation exceeds maximum context length"),
  cannotTruncate: () =>
    new OllamaError(400, "input exceeds maximum context length and cannot be truncated further"),
  /** The scheduler's check: the full model name, then each missing capability on its own line. */
  missingCapabilities: (fullName: string, missing: string[]) =>
    new OllamaError(400, `${fullName} does not support ${missing.join("\n")}`),
  /**
   * Not in Ollama, which runs vision models: node-llama-cpp has no multimodal path, so images on a
   * vision model are refused rather than dropped (the answer would be about a picture never seen).
   */
  imagesUnsupported: (name: string) =>
    new OllamaError(
      501,
      `${quote(name)} reads images, but tollama cannot run image input yet (node-llama-cpp has no multimodal support); send text only`,
    ),
  topLogprobs: () => new OllamaError(400, "top_logprobs must be between 0 and 20"),
  canceled: () => new OllamaError(499, "request canceled"),
  serverBusy: () => new OllamaError(503, "server busy, please try again.  maximum pending requests exceeded"),
  blobNotFound: (digest: string) => new OllamaError(404, `blob ${quote(digest)} not found`),
  digestMismatch: (expected: string, got: string) =>
    new OllamaError(400, `digest mismatch, expected ${quote(expected)}, got ${quote(got)}`),
  promptTooLong: () => new OllamaError(400, "the input length exceeds the context length"),
  promptExceedsContext: () =>
    new OllamaError(
      400,
      "the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length",
    ),
  insufficientMemory: (needBytes: number, freeBytes: number) =>
    new OllamaError(
      500,
      `model requires more system memory (${gib(needBytes)}) than is available (${gib(freeBytes)})`,
    ),
  shuttingDown: () => new OllamaError(503, "server shutting down"),
  internal: (message: string) => new OllamaError(500, message),
} as const;
