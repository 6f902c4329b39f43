/**
 * Enforcing a tool choice (OpenAI's "required" or a named function, Anthropic's "any" or "tool"):
 * the request keeps only the allowed tools and gets a JSON-schema format that admits exactly one
 * call `{"name": <tool>, "arguments": {...}}`. The grammar makes the model write that object
 * from its first token, and the tool parser reads a bare JSON call at the start of the output
 * whatever the template's tag, so the answer always comes back as a tool call.
 */

export interface PlainTool {
  type?: unknown;
  function: { name: string; parameters?: unknown };
}

type Schema = Record<string, unknown>;

const basicTypes = new Set(["string", "number", "integer", "boolean", "null"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const anyScalar: Schema = { type: ["string", "number", "boolean", "null"] };

/**
 * A JSON schema reduced to what node-llama-cpp's grammar generator understands (type, properties,
 * items, enum, const, oneOf/anyOf, string lengths, array lengths). `$ref`s into the root's
 * `$defs` are inlined (bounded depth); anything else unknown becomes "any scalar or object".
 */
export function grammarSchema(schema: unknown, defs: Record<string, unknown> = {}, depth = 0): Schema {
  if (depth > 12 || !isRecord(schema))
    return { oneOf: [anyScalar, { type: "object", additionalProperties: true }] };
  if (isRecord(schema.$defs)) defs = { ...defs, ...schema.$defs };
  if (isRecord(schema.definitions)) defs = { ...defs, ...schema.definitions };
  if (typeof schema.$ref === "string") {
    const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(schema.$ref);
    const target = m ? defs[m[1] as string] : undefined;
    return grammarSchema(target, defs, depth + 1);
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const values = schema.enum.filter(
      (v) => v === null || ["string", "number", "boolean"].includes(typeof v),
    );
    if (values.length > 0) return { enum: values };
  }
  if (
    "const" in schema &&
    (schema.const === null || ["string", "number", "boolean"].includes(typeof schema.const))
  )
    return { const: schema.const };
  const alternatives = Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
      ? schema.anyOf
      : undefined;
  if (alternatives && alternatives.length > 0)
    return { oneOf: alternatives.map((s) => grammarSchema(s, defs, depth + 1)) };
  const type = schema.type;
  if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === "string");
    if (types.length > 0 && types.every((t) => basicTypes.has(t))) return { type: types };
    return { oneOf: types.map((t) => grammarSchema({ ...schema, type: t }, defs, depth + 1)) };
  }
  switch (type) {
    case "object": {
      const props = isRecord(schema.properties) ? schema.properties : undefined;
      if (!props || Object.keys(props).length === 0) return { type: "object", additionalProperties: true };
      const out: Record<string, Schema> = {};
      for (const [k, v] of Object.entries(props)) out[k] = grammarSchema(v, defs, depth + 1);
      return { type: "object", properties: out };
    }
    case "array": {
      const out: Schema = { type: "array" };
      if (schema.items !== undefined) out.items = grammarSchema(schema.items, defs, depth + 1);
      if (typeof schema.minItems === "number") out.minItems = schema.minItems;
      if (typeof schema.maxItems === "number") out.maxItems = schema.maxItems;
      return out;
    }
    case "string": {
      const out: Schema = { type: "string" };
      if (typeof schema.minLength === "number") out.minLength = schema.minLength;
      if (typeof schema.maxLength === "number") out.maxLength = schema.maxLength;
      return out;
    }
    case "number":
    case "integer":
    case "boolean":
    case "null":
      return { type };
    default:
      if (isRecord(schema.properties)) return grammarSchema({ ...schema, type: "object" }, defs, depth + 1);
      return { oneOf: [anyScalar, { type: "object", additionalProperties: true }] };
  }
}

/** The format admitting exactly one call to one of `tools`. */
export function toolCallFormat(tools: readonly PlainTool[]): Schema {
  const calls = tools.map((t) => ({
    type: "object",
    properties: {
      name: { const: t.function.name },
      arguments: grammarSchema(t.function.parameters ?? { type: "object", properties: {} }),
    },
  }));
  return calls.length === 1 ? (calls[0] as Schema) : { oneOf: calls };
}
