// Ollama's built-in prompt renderers by the name a Modelfile's RENDERER gives (config.renderer), as in
// model/renderers: code instead of a template, for formats templates can't express well. Names Ollama
// knows but tollama doesn't yet return undefined, and the model's template renders instead.

import type { TemplateMessage, Tool } from "../types.js";
import { renderCogito } from "./cogito.js";
import { renderDeepSeek3 } from "./deepseek3.js";
import { renderQwen35 } from "./qwen35.js";
import { renderQwen3Coder } from "./qwen3coder.js";
import { renderQwen3VL } from "./qwen3vl.js";

export type Renderer = (
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
) => string;

const renderers: Record<string, Renderer> = {
  "qwen3-coder": (messages, tools) => renderQwen3Coder(messages, tools),
  "qwen3-vl-instruct": (messages, tools, think) => renderQwen3VL(messages, tools, think, false),
  "qwen3-vl-thinking": (messages, tools, think) => renderQwen3VL(messages, tools, think, true),
  "qwen3.5": renderQwen35,
  "deepseek3.1": renderDeepSeek3,
  cogito: renderCogito,
};

export function rendererForName(name: string): Renderer | undefined {
  return Object.hasOwn(renderers, name) ? renderers[name] : undefined;
}
