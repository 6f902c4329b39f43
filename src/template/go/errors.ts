// Errors carry Go's exact message text, since users (and Ollama's API) see them verbatim:
//   parse:     template: NAME:LINE: message
//   execution: template: NAME:LINE:COL: executing "NAME" at <NODE>: message
// (Go reports a column only for execution errors; it is the 0-based byte offset within the line.)

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly kind: "parse" | "exec",
  ) {
    super(message);
    this.name = "TemplateError";
  }
}
