// RENDERER deepseek3.1 (Ollama's model/renderers/deepseek3.go): DeepSeek-V3.1's fullwidth-bar tokens,
// where every assistant turn opens with </think> (no reasoning) unless this turn is thinking.

import type { TemplateMessage, Tool } from "../types.js";
import { argumentsJson, parametersJson, thinkOn } from "./shared.js";

const bos = "<｜begin▁of▁sentence｜>";
const eos = "<｜end▁of▁sentence｜>";
const user = "<｜User｜>";
const assistant = "<｜Assistant｜>";

const toolUsage =
  "\nIMPORTANT: ALWAYS adhere to this exact format for tool use:\n" +
  "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>tool_call_name<｜tool▁sep｜>tool_call_arguments<｜tool▁call▁end｜>{{additional_tool_calls}}<｜tool▁calls▁end｜>\n\n" +
  "Where:\n\n" +
  "- `tool_call_name` must be an exact match to one of the available tools\n" +
  "- `tool_call_arguments` must be valid JSON that strictly follows the tool's Parameters Schema\n" +
  "- For multiple tool calls, chain them directly without separators or spaces\n";

function toolsBlock(tools: Tool[]): string {
  let out = "\n\n## Tools\nYou have access to the following tools:\n";
  for (const tool of tools) {
    out += `\n### ${tool.function.name}\nDescription: ${tool.function.description ?? ""}`;
    out += `\n\nParameters: ${parametersJson(tool.function.parameters)}\n`;
  }
  return out + toolUsage;
}

export function renderDeepSeek3(
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
): string {
  // Thinking only when asked for: the model supports it, but it is off by default.
  const thinking = thinkOn(think);
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  let out = bos + system.join("\n\n");
  if (tools && tools.length > 0) out += toolsBlock(tools);

  let isTool = false;
  let isLastUser = false;
  const lastUser = messages.map((m) => m.role).lastIndexOf("user");
  messages.forEach((m, i) => {
    if (m.role === "user") {
      isTool = false;
      isLastUser = true;
      out += user + m.content;
    } else if (m.role === "assistant" && m.toolCalls && m.toolCalls.length > 0) {
      if (isLastUser) out += assistant + "</think>";
      isLastUser = false;
      isTool = false;
      out += m.content + "<｜tool▁calls▁begin｜>";
      for (const call of m.toolCalls) {
        out += `<｜tool▁call▁begin｜>${call.function.name}<｜tool▁sep｜>`;
        out += argumentsJson(call.function.arguments) + "<｜tool▁call▁end｜>";
      }
      out += "<｜tool▁calls▁end｜>" + eos;
    } else if (m.role === "assistant") {
      if (isLastUser) {
        // <think> only for a thinking reply in the current turn (after the last user message).
        const open = (m.thinking ?? "") !== "" && thinking && i > lastUser;
        out += assistant + (open ? "<think>" : "</think>");
      }
      isLastUser = false;
      let content = m.content;
      // Earlier replies drop any reasoning left inline in their content.
      if (!isTool && content.includes("</think>")) content = content.slice(content.indexOf("</think>") + 8);
      isTool = false;
      out += content + eos;
    } else if (m.role === "tool") {
      isLastUser = false;
      isTool = true;
      out += `<｜tool▁output▁begin｜>${m.content}<｜tool▁output▁end｜>`;
    }
  });
  if (isLastUser && !isTool) out += assistant + (thinking ? "<think>" : "</think>");
  return out;
}
