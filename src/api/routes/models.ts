/** Model management: list, copy, delete, blobs, running models, version, status. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";
import { readBody, sendError, sendJson, sendText } from "../http.js";
import { decodeCopyRequest, decodeDeleteRequest } from "../wire/index.js";
import { errors } from "../../core/errors.js";
import { rfc3339Local, rfc3339Nano } from "../time.js";
import { detailsJson } from "../../core/details.js";

export function modelRoutes(ctx: RouteContext): Route[] {
  const running = (_req: IncomingMessage, res: ServerResponse) => sendText(res, 200, "Ollama is running");
  const version = (_req: IncomingMessage, res: ServerResponse) =>
    sendJson(res, 200, { version: ctx.version });
  return [
    { method: "GET", path: "/", handler: running },
    { method: "HEAD", path: "/", handler: running },
    { method: "GET", path: "/api/version", handler: version },
    { method: "HEAD", path: "/api/version", handler: version },
    // As Ollama reports its switches; tollama reaches no cloud (remote models, web search) either way.
    {
      method: "GET",
      path: "/api/status",
      handler: (_req, res) =>
        sendJson(res, 200, {
          cloud: { disabled: ctx.config.cloudSource !== "none", source: ctx.config.cloudSource },
        }),
    },
    { method: "GET", path: "/api/tags", handler: (_req, res) => listModels(ctx, res) },
    { method: "HEAD", path: "/api/tags", handler: (_req, res) => listModels(ctx, res) },
    { method: "GET", path: "/api/ps", handler: (_req, res) => runningModels(ctx, res) },
    { method: "POST", path: "/api/copy", handler: (req, res) => copyModel(ctx, req, res) },
    { method: "DELETE", path: "/api/delete", handler: (req, res) => deleteModel(ctx, req, res) },
    {
      method: "HEAD",
      path: "/api/blobs/:digest",
      handler: (_req, res, p) => headBlob(ctx, res, p.digest ?? ""),
    },
    {
      method: "POST",
      path: "/api/blobs/:digest",
      handler: (req, res, p) => createBlob(ctx, req, res, p.digest ?? ""),
    },
  ];
}

async function listModels(ctx: RouteContext, res: ServerResponse) {
  const models = await ctx.models.list();
  sendJson(res, 200, {
    models: models.map((m) => ({
      name: m.summary.model,
      model: m.summary.model,
      modified_at: rfc3339Local(m.summary.modifiedAt),
      size: m.summary.size,
      digest: m.summary.digest,
      details: detailsJson(m.summary.details),
      ...(m.capabilities.length > 0 ? { capabilities: m.capabilities } : {}),
    })),
  });
}

/** Go's longest time.Duration, which Ollama keeps a model loaded "forever" for (about 292 years). */
const FOREVER_NS = 2n ** 63n - 1n;

function runningModels(ctx: RouteContext, res: ServerResponse) {
  const models = ctx.scheduler.running().map((r) => {
    // A model not idle yet has no expiry: Ollama reports now plus its keep_alive.
    const expires =
      r.keepAlive === "forever"
        ? BigInt(Date.now()) * 1_000_000n + FOREVER_NS
        : BigInt(r.expiresAt ?? Date.now() + r.keepAlive) * 1_000_000n;
    return {
      expires,
      json: {
        name: r.spec.name,
        model: r.spec.name,
        size: r.model.facts.sizeBytes,
        digest: r.spec.digest,
        // Ollama's ps leaves parent_model empty.
        details: { ...r.spec.details, parent_model: "" },
        expires_at: rfc3339Nano(expires),
        size_vram: r.model.facts.vramBytes,
        context_length: r.spec.load.contextSize,
      },
    };
  });
  // The longest time left first, by whole seconds as Ollama compares them; ties keep load order.
  const second = (ns: bigint) => ns / 1_000_000_000n;
  models.sort((a, b) => Number(second(b.expires) - second(a.expires)));
  sendJson(res, 200, { models: models.map((m) => m.json) });
}

async function copyModel(ctx: RouteContext, req: IncomingMessage, res: ServerResponse) {
  const body = decodeCopyRequest(await readBody(req));
  await ctx.store.copy(body.source, body.destination);
  ctx.models.invalidate();
  res.writeHead(200, { "Content-Length": 0 }).end();
}

async function deleteModel(ctx: RouteContext, req: IncomingMessage, res: ServerResponse) {
  const body = decodeDeleteRequest(await readBody(req));
  const name = body.model || body.name;
  if (name.trim() === "") throw errors.modelRequired();
  await ctx.store.delete(name);
  ctx.models.invalidate();
  res.writeHead(200, { "Content-Length": 0 }).end();
}

async function headBlob(ctx: RouteContext, res: ServerResponse, digest: string) {
  const path = ctx.store.blobPath(digest); // throws on an invalid digest
  void path;
  if (!(await ctx.store.hasBlob(digest))) return sendError(res, 404, errors.blobNotFound(digest).message);
  res.writeHead(200, { "Content-Length": 0 }).end();
}

async function createBlob(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, digest: string) {
  ctx.store.blobPath(digest);
  if (await ctx.store.hasBlob(digest)) {
    req.resume();
    res.writeHead(200, { "Content-Length": 0 }).end();
    return;
  }
  await ctx.store.writeBlob(req, digest);
  res.writeHead(201, { "Content-Length": 0 }).end();
}
