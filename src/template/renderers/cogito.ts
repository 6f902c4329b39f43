// RENDERER cogito (Ollama's model/renderers/cogito.go): DeepSeek-style tokens with Cogito's default
// system prompt; thinking, only when asked for, is switched on by a system-prompt phrase.

import type { TemplateMessage, Tool } from "../types.js";
import { argumentsJson, indentJson, thinkOn, toolJson } from "./shared.js";

const bos = "<｜begin▁of▁sentence｜>";
const eos = "<｜end▁of▁sentence｜>";
const defaultPrompt =
  "You are Cogito, an AI assistant created by Deep Cogito, which is an AI research lab based in San Francisco.";

function systemPrompt(system: string | undefined, thinking: boolean, tools: Tool[] | undefined): string {
  let out: string;
  if (thinking) {
    out = "Enable deep thinking subroutine.\n\n" + defaultPrompt;
    if (system) out += "\n\n" + system + "\n\n";
  } else {
    out = defaultPrompt + (system ? "\n\n" + system : "");
  }
  if (tools && tools.length > 0) {
    out += "\nYou have the following functions available:\n";
    for (const tool of tools) out += "```json\n" + indentJson(toolJson(tool), "    ") + "\n```\n";
  }
  return out;
}

export function renderCogito(
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
): string {
  const thinking = thinkOn(think);
  const hasSystem = messages[0]?.role === "system";
  const rest = hasSystem ? messages.slice(1) : messages;
  let out = bos + systemPrompt(hasSystem ? messages[0]?.content : undefined, thinking, tools);

  let outputsOpen = false;
  let isLastUser = false;
  rest.forEach((m, i) => {
    if (m.role === "user") {
      isLastUser = true;
      out += `<｜User｜>${m.content}<｜Assistant｜>`;
    } else if (m.role === "assistant") {
      isLastUser = false;
      if (m.toolCalls && m.toolCalls.length > 0) {
        const calls = m.toolCalls.map(
          (call) =>
            `<｜tool▁call▁begin｜>function<｜tool▁sep｜>${call.function.name}\n\`\`\`json\n` +
            `${argumentsJson(call.function.arguments)}\n\`\`\`<｜tool▁call▁end｜>`,
        );
        out += m.content + "<｜tool▁calls▁begin｜>" + calls.join("\n") + "<｜tool▁calls▁end｜>" + eos;
      } else {
        out += m.content + eos;
      }
    } else if (m.role === "tool") {
      isLastUser = false;
      if (!outputsOpen) out += "<｜tool▁outputs▁begin｜>";
      outputsOpen = true;
      out += `<｜tool▁output▁begin｜>${m.content}<｜tool▁output▁end｜>`;
      // Consecutive outputs share one block, a newline apart.
      if (rest[i + 1]?.role === "tool") out += "\n";
      else {
        out += "<｜tool▁outputs▁end｜>";
        outputsOpen = false;
      }
    }
  });
  if (!isLastUser) out += "<｜Assistant｜>";
  if (thinking) out += "<think>\n";
  return out;
}
