import type { Route } from "../server.js";
import type { RouteContext } from "./context.js";

// Placeholder until /api/embed, /api/embeddings and /api/rerank land (being written now).
export function embedRoutes(_ctx: RouteContext): Route[] {
  return [];
}
