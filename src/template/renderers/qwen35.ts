// RENDERER qwen3.5 (Ollama's model/renderers/qwen35.go, its default variant): ChatML with JSON tool
// definitions but qwen3-coder's XML tool calls, every turn trimmed, and an empty think block when
// the request turns thinking off.

import type { TemplateMessage, Tool } from "../types.js";
import { argumentText, callFormat } from "./qwen3coder.js";
import { addJsonSpaces, imEnd, imStart, tagContent, thinkOn, toolJson } from "./shared.js";

const toolPostamble = "\n</tools>" + callFormat;

function isToolResponse(text: string): boolean {
  return text.startsWith("<tool_response>") && text.endsWith("</tool_response>");
}

/** splitQwen35ReasoningContent: the message's thinking, else reasoning left inline before </think>. */
function splitReasoning(content: string, thinking: string, renderThink: boolean): [string, string] {
  if (renderThink && thinking !== "") return [thinking.trim(), content];
  const close = content.indexOf("</think>");
  if (close === -1) return ["", content];
  const before = content.slice(0, close);
  const open = before.lastIndexOf("<think>");
  const reasoning = open === -1 ? before : before.slice(open + "<think>".length);
  return [reasoning.trim(), content.slice(close + "</think>".length).replace(/^\n+/u, "")];
}

function toolCallsText(m: TemplateMessage, content: string): string {
  let out = "";
  (m.toolCalls ?? []).forEach((call, j) => {
    if (j > 0) out += "\n";
    else if (content.trim() !== "") out += "\n\n";
    out += `<tool_call>\n<function=${call.function.name}>\n`;
    for (const [k, v] of Object.entries(call.function.arguments ?? {})) {
      out += `<parameter=${k}>\n${argumentText(v)}\n</parameter>\n`;
    }
    out += "</function>\n</tool_call>";
  });
  return out;
}

function systemBlock(messages: TemplateMessage[], tools: Tool[] | undefined): string {
  const first = messages[0];
  const system = first?.role === "system" ? tagContent(first, 0)[0].trim() : undefined;
  if (tools && tools.length > 0) {
    let out = `${imStart}system\n# Tools\n\nYou have access to the following functions:\n\n<tools>`;
    for (const tool of tools) out += "\n" + addJsonSpaces(toolJson(tool));
    out += toolPostamble;
    // The system prompt follows the tool instructions here, unlike qwen3-vl.
    if (system) out += "\n\n" + system;
    return out + `${imEnd}\n`;
  }
  return system === undefined ? "" : `${imStart}system\n${system}${imEnd}\n`;
}

export function renderQwen35(
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
): string {
  const thinking = think === undefined ? true : thinkOn(think);
  let out = systemBlock(messages, tools);
  let lastQuery = messages.length - 1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as TemplateMessage;
    if (m.role === "user" && !isToolResponse(tagContent(m, 0)[0].trim())) {
      lastQuery = i;
      break;
    }
  }
  let imageOffset = 0;
  messages.forEach((m, i) => {
    const [tagged, next] = tagContent(m, imageOffset);
    imageOffset = next;
    let content = tagged.trim();
    const last = i === messages.length - 1;
    const prefill = last && m.role === "assistant";
    if (m.role === "user" || (m.role === "system" && i !== 0)) {
      out += `${imStart}${m.role}\n${content}${imEnd}\n`;
    } else if (m.role === "assistant") {
      // Reasoning is replayed only for turns after the last real user query.
      const renderThink = thinking && i > lastQuery;
      let reasoning: string;
      [reasoning, content] = splitReasoning(content, m.thinking ?? "", renderThink);
      out += `${imStart}assistant\n`;
      out += renderThink ? `<think>\n${reasoning}\n</think>\n\n${content}` : content;
      out += toolCallsText(m, content);
      if (!prefill) out += `${imEnd}\n`;
    } else if (m.role === "tool") {
      if (messages[i - 1]?.role !== "tool") out += `${imStart}user`;
      out += `\n<tool_response>\n${content}\n</tool_response>`;
      if (messages[i + 1]?.role !== "tool") out += `${imEnd}\n`;
    }
    if (last && !prefill)
      out += `${imStart}assistant\n` + (thinking ? "<think>\n" : "<think>\n\n</think>\n\n");
  });
  return out;
}
