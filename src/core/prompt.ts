/**
 * Chat prompts as Ollama builds them: render the messages with the model's template, and when the
 * prompt does not fit num_ctx drop the oldest messages, always keeping system messages and the
 * last message.
 */
import {
  rendererForName,
  tagImages,
  thinkValues,
  type TemplateMessage,
  type Tool,
} from "../template/index.js";
import type { ResolvedModel } from "./models.js";

export interface ChatPromptInput {
  messages: TemplateMessage[];
  tools?: Tool[] | undefined;
  think?: boolean | string | undefined;
  numCtx: number;
  truncate: boolean;
  /** The loaded model's tokenizer, to measure renders. */
  tokenize: (text: string) => number[];
}

export interface RenderedPrompt {
  prompt: string;
  imageCount: number;
}

export function renderMessages(
  model: ResolvedModel,
  messages: TemplateMessage[],
  tools: Tool[] | undefined,
  think: boolean | string | undefined,
): string {
  // A RENDERER in the Modelfile replaces the template, as in Ollama's renderPrompt.
  const renderer = model.stored.config.renderer ? rendererForName(model.stored.config.renderer) : undefined;
  if (renderer) return renderer(messages, tools, think);
  if (model.jinja) {
    return model.jinja.render({
      messages,
      tools,
      think,
      bosToken: "",
      eosToken: "",
    });
  }
  return model.template.render({ messages, tools, ...thinkValues(think) });
}

export function chatPrompt(model: ResolvedModel, input: ChatPromptInput): RenderedPrompt {
  const msgs = input.messages;
  const last = msgs.length - 1;
  let start = 0;
  let system: TemplateMessage[] = [];
  if (input.truncate) {
    for (let i = 0; i <= last; i++) {
      system = msgs.slice(0, i).filter((m) => m.role === "system");
      const text = renderMessages(model, [...system, ...msgs.slice(i)], input.tools, input.think);
      if (input.tokenize(text).length <= input.numCtx || i === last) {
        start = i;
        break;
      }
    }
  }
  const tagged = tagImages(msgs, start, false);
  // Renderers place image tags themselves (Ollama's imageTaggedMessages leaves their content alone).
  const name = model.stored.config.renderer;
  const rendered = name && rendererForName(name) ? msgs : tagged.messages;
  const prompt = renderMessages(model, [...system, ...rendered.slice(start)], input.tools, input.think);
  return { prompt, imageCount: tagged.images.length };
}
