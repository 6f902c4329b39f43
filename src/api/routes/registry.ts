/** /api/pull and /api/push: registry transfers framed as Ollama's progress NDJSON, or one object. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";
import { NdjsonWriter, jsonType, readBody, sendJson } from "../http.js";
import { decodePullRequest, decodePushRequest } from "../wire/index.js";
import { errorReply } from "../errors.js";
import { errors } from "../../core/errors.js";
import { pull, push, type ProgressResponse } from "../../registry/index.js";

type Transfer = (
  ctx: RouteContext,
  name: string,
  opts: { insecure: boolean; signal: AbortSignal },
) => AsyncGenerator<ProgressResponse>;

const pulling: Transfer = (ctx, name, o) => pull(ctx.store, name, { ...o, noPrune: ctx.config.noPrune });
const pushing: Transfer = (ctx, name, o) => push(ctx.store, name, o);

export function registryRoutes(ctx: RouteContext): Route[] {
  return [
    {
      method: "POST",
      path: "/api/pull",
      handler: (req, res) => transfer(ctx, req, res, decodePullRequest, pulling),
    },
    {
      method: "POST",
      path: "/api/push",
      handler: (req, res) => transfer(ctx, req, res, decodePushRequest, pushing),
    },
  ];
}

async function transfer(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  decode: typeof decodePullRequest,
  run: Transfer,
) {
  const body = decode(await readBody(req));
  const name = body.model || body.name;
  // PushHandler's own check; an empty pull name is the invalid-name 400 below
  if (run === pushing && name === "") throw errors.modelRequired();
  await ctx.store.resolveName(name, "model"); // Ollama's invalid-name 400 comes before streaming
  const stream = body.stream ?? true;
  const writer = new NdjsonWriter(res, stream ? undefined : jsonType);
  // A client that leaves cancels the transfer; what was downloaded stays for a later resume.
  const progress = run(ctx, name, {
    insecure: body.insecure,
    signal: AbortSignal.any([writer.signal, ctx.shutdown]),
  });
  let latest: ProgressResponse | undefined;
  try {
    for await (const p of progress) {
      latest = p;
      if (stream) writer.write(p);
    }
    if (stream) writer.end();
    else sendJson(res, 200, latest ?? { status: "" });
  } catch (err) {
    const { status, message } = errorReply(err);
    writer.fail(status, message);
  } finally {
    ctx.models.invalidate();
  }
}
