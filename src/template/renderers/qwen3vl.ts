// RENDERER qwen3-vl-instruct / qwen3-vl-thinking (Ollama's model/renderers/qwen3vl.go): ChatML with
// Hermes-style JSON tools, and past reasoning kept only for turns after the last real user query.

import type { TemplateMessage, Tool } from "../types.js";
import { addJsonSpaces, argumentsJson, imEnd, imStart, tagContent, thinkOn, toolJson } from "./shared.js";

const toolsIntro =
  "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
  "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
const toolsOutro =
  "\n</tools>\n\nFor each function call, return a json object with function name and arguments within " +
  '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n' +
  `</tool_call>${imEnd}\n`;

/** Index of the last user message that isn't only a wrapped tool response (where reasoning restarts). */
function lastQueryIndex(messages: TemplateMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as TemplateMessage;
    if (m.role !== "user") continue;
    const [c] = tagContent(m, 0);
    if (!(c.startsWith("<tool_response>") && c.endsWith("</tool_response>"))) return i;
  }
  return messages.length - 1;
}

function trimNewlines(s: string): string {
  return s.replace(/^\n+|\n+$/gu, "");
}

export function renderQwen3VL(
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
  defaultThinking: boolean,
): string {
  const thinking = think === undefined ? defaultThinking : thinkOn(think);
  const first = messages[0];
  let out = "";
  if (tools && tools.length > 0) {
    out += `${imStart}system\n`;
    if (first?.role === "system") out += first.content + "\n\n";
    out += toolsIntro;
    for (const tool of tools) out += "\n" + addJsonSpaces(toolJson(tool));
    out += toolsOutro;
  } else if (first?.role === "system") {
    out += `${imStart}system\n${first.content}${imEnd}\n`;
  }
  const lastQuery = lastQueryIndex(messages);
  let imageOffset = 0;
  messages.forEach((m, i) => {
    const [content, next] = tagContent(m, imageOffset);
    imageOffset = next;
    const last = i === messages.length - 1;
    const prefill = last && m.role === "assistant";
    if (m.role === "user" || (m.role === "system" && i !== 0)) {
      out += `${imStart}${m.role}\n${content}${imEnd}\n`;
    } else if (m.role === "assistant") {
      const reasoning = thinking ? (m.thinking ?? "") : "";
      if (thinking && i > lastQuery && (last || reasoning !== "")) {
        out += `${imStart}assistant\n<think>\n${trimNewlines(reasoning)}`;
        if (content !== "") out += "\n</think>\n\n" + content.replace(/^\n+/u, "");
      } else {
        out += `${imStart}assistant\n${content}`;
      }
      (m.toolCalls ?? []).forEach((call, j) => {
        if (j > 0 || content !== "") out += "\n";
        out += `<tool_call>\n{"name": "${call.function.name}", "arguments": `;
        out += addJsonSpaces(argumentsJson(call.function.arguments)) + "}\n</tool_call>";
      });
      if (!prefill) out += `${imEnd}\n`;
    } else if (m.role === "tool") {
      // Consecutive tool results share one user turn.
      if (messages[i - 1]?.role !== "tool") out += `${imStart}user`;
      out += `\n<tool_response>\n${content}\n</tool_response>`;
      if (messages[i + 1]?.role !== "tool") out += `${imEnd}\n`;
    }
    if (last && !prefill) out += `${imStart}assistant\n` + (thinking ? "<think>\n" : "");
  });
  return out;
}
