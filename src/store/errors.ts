// Typed store errors. Each message is the text Ollama puts in the JSON `error` field for the same
// situation, so the HTTP layer can forward `message` as-is and pick the status from `status`.

import { goQuote } from "../util/goquote.js";

export { goQuote };

export class StoreError extends Error {
  /** The HTTP status Ollama answers with for this error. */
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = new.target.name;
    this.status = status;
  }
}

/** Which request field held a bad name; Ollama words the message per field. */
export type NameRole = "model" | "name" | "source" | "destination";

function invalidNameMessage(raw: string, role: NameRole): string {
  switch (role) {
    case "model":
      return "invalid model name";
    case "name":
      return `name ${goQuote(raw)} is invalid`;
    case "source":
      return `source ${goQuote(raw)} is invalid`;
    case "destination":
      return `destination ${goQuote(raw)} is invalid`;
  }
}

export class InvalidNameError extends StoreError {
  readonly input: string;
  readonly role: NameRole;

  constructor(input: string, role: NameRole = "model") {
    super(invalidNameMessage(input, role), 400);
    this.input = input;
    this.role = role;
  }
}

/**
 * Most handlers say `model 'x' not found`; /api/copy says `model "x" not found`, so the copy
 * path passes `quoted`.
 */
export class ModelNotFoundError extends StoreError {
  readonly input: string;

  constructor(input: string, style: "single" | "quoted" = "single") {
    super(style === "quoted" ? `model ${goQuote(input)} not found` : `model '${input}' not found`, 404);
    this.input = input;
  }
}

export class InvalidDigestError extends StoreError {
  readonly digest: string;

  constructor(digest: string) {
    super("invalid digest format", 400);
    this.digest = digest;
  }
}

export class BlobNotFoundError extends StoreError {
  readonly digest: string;

  constructor(digest: string) {
    super(`blob ${goQuote(digest)} not found`, 404);
    this.digest = digest;
  }
}

/**
 * `upload` is the /api/blobs wording (400), `download` the pull verification wording (500):
 * Ollama uses two different texts for the same failure.
 */
export class DigestMismatchError extends StoreError {
  readonly expected: string;
  readonly actual: string;

  constructor(expected: string, actual: string, kind: "upload" | "download" = "upload") {
    super(
      kind === "upload"
        ? `digest mismatch, expected ${goQuote(expected)}, got ${goQuote(actual)}`
        : `digest mismatch, file must be downloaded again: want ${expected}, got ${actual}`,
      kind === "upload" ? 400 : 500,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** A manifest file that is not JSON or not shaped like a manifest. */
export class CorruptManifestError extends StoreError {
  readonly path: string;

  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`, 500);
    this.path = path;
  }
}
