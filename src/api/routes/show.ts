/** POST /api/show: a stored model's Modelfile, parameters, template, details, GGUF metadata. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";
import { readBody, sendJson } from "../http.js";
import { decodeShowRequest } from "../wire/index.js";
import { rfc3339Local } from "../time.js";
import { showModel } from "../../core/show.js";

export function showRoutes(ctx: RouteContext): Route[] {
  return [{ method: "POST", path: "/api/show", handler: (req, res) => show(ctx, req, res) }];
}

async function show(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = decodeShowRequest(await readBody(req));
  const { body: reply, modifiedAt } = await showModel({ store: ctx.store, models: ctx.models }, body);
  reply.modified_at = rfc3339Local(modifiedAt);
  sendJson(res, 200, reply);
}
