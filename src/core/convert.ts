/** Decoded wire requests (ordered Maps, Go zero values) to the template layer's plain shapes. */
import type { Message, Tool, ToolProperty } from "../api/wire/index.js";
import type {
  TemplateMessage,
  Tool as TemplateTool,
  ToolProperty as TemplateProperty,
} from "../template/index.js";

export function templateMessage(m: Message): TemplateMessage {
  const out: TemplateMessage = { role: m.role, content: m.content };
  if (m.thinking) out.thinking = m.thinking;
  if (m.images && m.images.length > 0) out.images = m.images;
  if (m.toolCalls && m.toolCalls.length > 0) {
    out.toolCalls = m.toolCalls.map((c) => ({
      ...(c.id ? { id: c.id } : {}),
      function: {
        index: c.function.index,
        name: c.function.name,
        arguments: Object.fromEntries(c.function.arguments),
      },
    }));
  }
  if (m.toolName) out.toolName = m.toolName;
  if (m.toolCallId) out.toolCallId = m.toolCallId;
  return out;
}

export function templateTool(t: Tool): TemplateTool {
  const p = t.function.parameters;
  return {
    type: t.type,
    ...(t.items !== undefined && t.items !== null ? { items: t.items } : {}),
    function: {
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      parameters: {
        type: p.type,
        ...(p.defs !== undefined && p.defs !== null ? { $defs: p.defs } : {}),
        ...(p.items !== undefined && p.items !== null ? { items: p.items } : {}),
        ...(p.required ? { required: p.required } : {}),
        ...(p.properties ? { properties: properties(p.properties) } : {}),
      },
    },
  };
}

function properties(map: Map<string, ToolProperty>): Record<string, TemplateProperty> {
  const out: Record<string, TemplateProperty> = {};
  for (const [k, v] of map) out[k] = property(v);
  return out;
}

function property(p: ToolProperty): TemplateProperty {
  return {
    ...(p.anyOf ? { anyOf: p.anyOf.map(property) } : {}),
    ...(p.type && p.type.length > 0 ? { type: p.type.length === 1 ? p.type[0]! : p.type } : {}),
    ...(p.items !== undefined && p.items !== null ? { items: p.items } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(p.enum ? { enum: p.enum } : {}),
    ...(p.properties ? { properties: properties(p.properties) } : {}),
    ...(p.required ? { required: p.required } : {}),
  };
}
