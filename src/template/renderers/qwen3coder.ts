// RENDERER qwen3-coder (Ollama's model/renderers/qwen3coder.go): ChatML with tools described in XML
// and past calls written as <tool_call><function=name><parameter=key>value</parameter>... blocks.

import { marshalGo } from "../gojson.js";
import type { TemplateMessage, Tool, ToolProperty } from "../types.js";

const imStart = "<|im_start|>";
const imEnd = "<|im_end|>";
const defaultSystem =
  "You are Qwen, a helpful AI assistant that can interact with a computer to solve tasks.";

/** The call-format instructions after the tool list (qwen3.5 shares them). */
export const callFormat =
  "\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n<tool_call>\n" +
  "<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n" +
  "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n" +
  "</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n" +
  "- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n" +
  "- Required parameters MUST be specified\n" +
  "- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n" +
  "- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls\n" +
  "</IMPORTANT>";

/** Go's %v for scalars, JSON for objects and arrays. */
function scalarOrJson(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "string") return v;
  return marshalGo(v);
}

/** Schema keys beyond the ones written as their own tags, each as <key>value</key> (JSON for objects). */
function extraKeys(obj: Record<string, unknown>, keys: readonly string[]): string {
  let out = "";
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    const text = scalarOrJson(v);
    out += `\n<${key}>${text}</${key}>`;
  }
  return out;
}

function typeText(t: ToolProperty["type"]): string {
  if (t === undefined) return "[]";
  if (typeof t === "string") return t;
  return t.length === 1 ? (t[0] ?? "") : marshalGo(t);
}

function toolsBlock(tools: Tool[]): string {
  let out = "\n\n# Tools\n\nYou have access to the following functions:\n\n<tools>";
  for (const tool of tools) {
    const fn = tool.function;
    out += `\n<function>\n<name>${fn.name}</name>`;
    if (fn.description) out += `\n<description>${fn.description}</description>`;
    out += "\n<parameters>";
    for (const [name, prop] of Object.entries(fn.parameters?.properties ?? {})) {
      out += `\n<parameter>\n<name>${name}</name>`;
      if (prop.type !== undefined && prop.type.length > 0) out += `\n<type>${typeText(prop.type)}</type>`;
      if (prop.description) out += `\n<description>${prop.description}</description>`;
      // Go ranges over a map here (random order); we keep ToolProperty's field order.
      out += extraKeys(prop as Record<string, unknown>, ["anyOf", "items", "enum", "properties", "required"]);
      out += "\n</parameter>";
    }
    out += extraKeys(fn.parameters ?? {}, ["$defs", "items", "required"]);
    out += "\n</parameters>\n</function>";
  }
  return out + "\n</tools>" + callFormat;
}

/** An argument as the model writes it: strings bare, objects and arrays as JSON. */
export function argumentText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v;
  return scalarOrJson(v);
}

export function renderQwen3Coder(messages: TemplateMessage[], tools: Tool[] | undefined): string {
  let out = "";
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const rest = messages.filter((m) => m.role !== "system");
  const hasTools = (tools?.length ?? 0) > 0;
  if (system !== "" || hasTools) {
    out += `${imStart}system\n${system || (hasTools ? defaultSystem : "")}`;
    if (tools && hasTools) out += toolsBlock(tools);
    out += `${imEnd}\n`;
  }
  rest.forEach((m, i) => {
    const last = i === rest.length - 1;
    const prefill = last && m.role === "assistant";
    if (m.role === "assistant" && m.toolCalls && m.toolCalls.length > 0) {
      out += `${imStart}assistant\n`;
      if (m.content !== "") out += m.content + "\n";
      for (const call of m.toolCalls) {
        out += `\n<tool_call>\n<function=${call.function.name}>`;
        for (const [k, v] of Object.entries(call.function.arguments ?? {})) {
          out += `\n<parameter=${k}>\n${argumentText(v)}\n</parameter>`;
        }
        out += "\n</function>\n</tool_call>";
      }
      out += `${imEnd}\n`;
    } else if (m.role === "assistant") {
      out += `${imStart}assistant\n${m.content}`;
      if (!prefill) out += `${imEnd}\n`;
    } else if (m.role === "tool") {
      // Consecutive tool results share one user turn, each in its own <tool_response>.
      if (rest[i - 1]?.role !== "tool") out += `${imStart}user`;
      out += `\n<tool_response>\n${m.content}\n</tool_response>`;
      if (rest[i + 1]?.role !== "tool") out += `${imEnd}\n`;
    } else {
      out += `${imStart}${m.role}\n${m.content}${imEnd}\n`;
    }
    if (last && !prefill) out += `${imStart}assistant\n`;
  });
  return out;
}
