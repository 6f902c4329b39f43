// Ollama's "olmo3" format: calls in a <function_calls> block, one Python-style call a line
// (`get_weather(location="Paris", days=3)`); a block with a line that does not read is dropped
// whole, as in Ollama. Unlike it, a call must name a tool the request declared.

import { parsePythonCalls } from "../python.js";
import type { BlockFormat } from "./blocks.js";

export const olmo3Format: BlockFormat = {
  open: "<function_calls>",
  close: "</function_calls>",
  read(body, tools) {
    const byName = new Map(tools.map((t) => [t.function.name, t]));
    const lines = body
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const parsed = lines.map((line) => parsePythonCalls(line, byName));
    return parsed.every((p) => p !== undefined) ? parsed.flatMap((p) => p.calls) : undefined;
  },
};
