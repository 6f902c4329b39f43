/**
 * The HTTP server: Fastify for routing and lifecycle; handlers write to Node's raw response so
 * JSON and NDJSON go out exactly as Ollama frames them.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import { allowedHeaders, canonicalHeaderKey, originPolicy, sameOrigin } from "./cors.js";
import { checksHosts, hostAllowed } from "./hosts.js";
import { sendError, sendText } from "./http.js";
import { errorReply } from "./errors.js";

/** What a preflight answer varies on, as gin-contrib/cors sends it. */
const preflightVary = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"];

export interface Route {
  method: "GET" | "HEAD" | "POST" | "DELETE";
  path: string;
  handler: (
    req: IncomingMessage,
    res: ServerResponse,
    params: Record<string, string>,
  ) => Promise<void> | void;
}

export interface HttpServerOptions {
  routes: Route[];
  origins: string[];
  /** Log one line per request (OLLAMA_DEBUG). Default false. */
  logRequests?: boolean;
}

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  // forceCloseConnections: on close, sockets that never sent a request (clients pre-connect) and
  // idle keep-alive ones are closed at once rather than after Node's 60 s header timeout.
  const app = Fastify({ logger: false, return503OnClosing: false, forceCloseConnections: true });
  // Bodies are read by the handlers themselves: Ollama ignores Content-Type, and blob uploads
  // must stream to disk rather than be buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

  const origins = originPolicy(opts.origins);
  let checkHosts: boolean | undefined;
  // CORS first, then the Host check, in Ollama's order.
  app.addHook("onRequest", async (req, reply) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      if (!origins.allows(origin)) {
        reply.code(403).send();
        return reply;
      }
      const preflight = req.method === "OPTIONS";
      if (origins.allowAll) reply.raw.setHeader("Access-Control-Allow-Origin", "*");
      else {
        reply.raw.setHeader("Access-Control-Allow-Origin", origin);
        reply.raw.setHeader("Vary", preflight ? preflightVary : "Origin");
      }
      if (preflight) {
        reply.raw.setHeader("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS");
        reply.raw.setHeader("Access-Control-Allow-Headers", allowedHeaders.map(canonicalHeaderKey).join(","));
        reply.raw.setHeader("Access-Control-Max-Age", "43200");
        reply.code(204).send();
        return reply;
      }
    }
    checkHosts ??= boundToLoopback(app);
    if (checkHosts && !hostAllowed(req.headers.host)) {
      reply.code(403).send();
      return reply;
    }
  });

  const known = new Map<string, Set<string>>();
  for (const route of opts.routes) {
    const methods = known.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    known.set(route.path, methods);
    app.route({
      method: route.method,
      url: route.path,
      // HEAD routes are explicit, as in Ollama's router
      exposeHeadRoute: false,
      handler: (req: FastifyRequest, reply: FastifyReply) => run(route, req, reply),
    });
  }

  app.setNotFoundHandler((req, reply) => {
    reply.hijack();
    const [path = "", query] = req.url.split(/\?(.*)/s);
    // Gin's RedirectTrailingSlash: "/api/tags/" answers with the way to "/api/tags".
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : undefined;
    const target = trimmed && [...known].find(([p, m]) => m.has(req.method) && matches(p, trimmed));
    if (trimmed && target) {
      const location = query ? `${trimmed}?${query}` : trimmed;
      reply.raw.writeHead(req.method === "GET" ? 301 : 307, { Location: location, "Content-Length": 0 });
      return void reply.raw.end();
    }
    const other = [...known.keys()].some((p) => matches(p, path));
    if (req.method === "OPTIONS") return void sendText(reply.raw, 204, "");
    sendText(reply.raw, other ? 405 : 404, other ? "405 method not allowed" : "404 page not found");
  });
  return app;
}

function boundToLoopback(app: FastifyInstance): boolean {
  const address = app.server.address();
  return typeof address === "object" && address !== null && checksHosts(address.address);
}

async function run(route: Route, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  try {
    await route.handler(req.raw, res, req.params as Record<string, string>);
  } catch (err) {
    const { status, message } = errorReply(err);
    if (!res.headersSent) sendError(res, status, message);
    else if (!res.writableEnded) res.end();
  }
}

function matches(pattern: string, path: string): boolean {
  const a = pattern.split("/");
  const b = path.split("/");
  return a.length === b.length && a.every((seg, i) => seg.startsWith(":") || seg === b[i]);
}
