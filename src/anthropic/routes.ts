import type { Route } from "../api/server.js";
import type { RouteContext } from "../api/routes/context.js";

// Placeholder until the Anthropic-compatible API lands (being written now).
export function anthropicRoutes(_ctx: RouteContext): Route[] {
  return [];
}
