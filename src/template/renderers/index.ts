// Ollama's built-in prompt renderers by the name a Modelfile's RENDERER gives (config.renderer), as in
// model/renderers: code instead of a template, for formats templates can't express well. Names Ollama
// knows but tollama doesn't yet return undefined, and the model's template renders instead.

import type { TemplateMessage, Tool } from "../types.js";
import { renderQwen3Coder } from "./qwen3coder.js";

export type Renderer = (
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
) => string;

const renderers: Record<string, Renderer> = {
  "qwen3-coder": (messages, tools) => renderQwen3Coder(messages, tools),
};

export function rendererForName(name: string): Renderer | undefined {
  return Object.hasOwn(renderers, name) ? renderers[name] : undefined;
}
