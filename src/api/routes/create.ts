/** POST /api/create: NDJSON progress by default, or only the last object with `stream: false`. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";
import { NdjsonWriter, readBody, sendError, sendJson } from "../http.js";
import { errorReply } from "../errors.js";
import { decodeCreateRequest } from "../wire/index.js";
import { createModel, progressJson, type CreateProgress } from "../../core/create.js";
import { pull } from "../../registry/index.js";
import type { ModelName } from "../../store/index.js";

export function createRoutes(ctx: RouteContext): Route[] {
  return [{ method: "POST", path: "/api/create", handler: (req, res) => create(ctx, req, res) }];
}

async function create(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await runCreate(ctx, req, res);
  } finally {
    ctx.models.invalidate();
  }
}

async function runCreate(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = decodeCreateRequest(await readBody(req));
  // A missing FROM model is pulled first, with Ollama's default registry options; the client
  // leaving does not stop it, as it does not stop the create.
  const pullBase = (name: ModelName) =>
    pull(ctx.store, name, { noPrune: ctx.config.noPrune, signal: ctx.shutdown });
  const progress = createModel({ store: ctx.store, pull: pullBase }, body);
  // Errors before the first line (bad names, paths, digests) propagate as plain HTTP errors.
  const first = await progress.next();

  if (body.stream === false) {
    let last: CreateProgress | undefined = first.done ? undefined : first.value;
    try {
      for await (const p of progress) last = p;
    } catch (err) {
      const { status, message } = errorReply(err);
      ctx.log.debug(`create ${body.model || body.name}: ${message}`);
      return sendError(res, status, message);
    }
    return sendJson(res, 200, progressJson(last ?? { status: "" }));
  }

  const out = new NdjsonWriter(res);
  if (!first.done) out.write(progressJson(first.value));
  try {
    // A client that goes away does not stop the create: it runs to completion, as in Ollama.
    for await (const p of progress) out.write(progressJson(p));
  } catch (err) {
    const { status, message } = errorReply(err);
    ctx.log.debug(`create ${body.model || body.name}: ${message}`);
    return out.fail(status, message);
  }
  out.end();
}
