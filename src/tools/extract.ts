// Turning one parsed JSON value into tool calls. Models write the same call many ways:
// {"name", "arguments"|"parameters"}, command-r's {"tool_name", "parameters"}, OpenAI's
// {"type": "function", "function": {...}}, {"tool_name_here": {args}}, arguments as a JSON string,
// and lists or wrappers such as xlam's {"tool_calls": [...]}.

export interface CallCandidate {
  name: string;
  arguments: Record<string, unknown>;
}

export interface Extracted {
  calls: CallCandidate[];
  /** Parts that looked like calls but name no requested tool or carry unusable arguments. */
  rejected: unknown[];
}

const nameKeys = ["name", "tool_name", "function"] as const;
const argumentKeys = ["arguments", "parameters", "args"] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function extractCalls(value: unknown, tools: ReadonlySet<string>): Extracted {
  const out: Extracted = { calls: [], rejected: [] };
  collect(value, tools, out);
  return out;
}

function collect(value: unknown, tools: ReadonlySet<string>, out: Extracted): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, tools, out);
    return;
  }
  if (!isRecord(value)) {
    out.rejected.push(value);
    return;
  }
  const call = asCall(value, tools);
  if (call === "rejected") out.rejected.push(value);
  else if (call) out.calls.push(call);
  else collectNested(value, tools, out);
}

// An object that is not a call itself may wrap calls in any of its values.
function collectNested(obj: Record<string, unknown>, tools: ReadonlySet<string>, out: Extracted): void {
  const inner: Extracted = { calls: [], rejected: [] };
  for (const v of Object.values(obj)) {
    if (Array.isArray(v) || isRecord(v)) collect(v, tools, inner);
  }
  if (inner.calls.length === 0) {
    out.rejected.push(obj);
    return;
  }
  out.calls.push(...inner.calls);
  out.rejected.push(...inner.rejected);
}

/** A call, "rejected" for a call-shaped object that is unusable, undefined when not call-shaped. */
function asCall(
  obj: Record<string, unknown>,
  tools: ReadonlySet<string>,
): CallCandidate | "rejected" | undefined {
  if (isRecord(obj.function)) return asCall(obj.function, tools) ?? "rejected";
  const nameKey = nameKeys.find((k) => typeof obj[k] === "string");
  if (nameKey) {
    const name = obj[nameKey] as string;
    const argKey = argumentKeys.find((k) => k in obj);
    const args = argKey === undefined ? {} : normalizeArguments(obj[argKey]);
    return tools.has(name) && args ? { name, arguments: args } : "rejected";
  }
  const keys = Object.keys(obj);
  const only = keys[0];
  if (keys.length === 1 && only !== undefined && tools.has(only)) {
    const args = normalizeArguments(obj[only]);
    return args ? { name: only, arguments: args } : "rejected";
  }
  return undefined;
}

function normalizeArguments(v: unknown): Record<string, unknown> | undefined {
  if (isRecord(v)) return v;
  if (v === null) return {};
  if (typeof v !== "string") return undefined;
  if (v.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(v);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
