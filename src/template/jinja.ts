// Hugging Face chat templates (a GGUF's tokenizer.chat_template), parsed with @huggingface/jinja and
// rendered by our Python-compatible interpreter over it (jinjapy/) for models without an Ollama Go template. Messages are handed over in the OpenAI/HF shape templates
// expect (tool_calls with object arguments, tool_call_id, name), plus the globals they commonly use.

import { TemplateError } from "./go/errors.js";
import { parseProgram, renderProgram, type Program } from "./jinjapy/index.js";
import type { TemplateMessage, Tool } from "./types.js";

export interface JinjaRenderValues {
  messages: TemplateMessage[];
  tools?: Tool[];
  /** Default true: end with the assistant turn's header. */
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** The request's think value: sets enable_thinking, and reasoning_effort for a level. */
  think?: boolean | string;
  /** Extra globals, overriding the defaults. */
  extra?: Record<string, unknown>;
}

export interface JinjaTemplate {
  readonly source: string;
  /** Whether the template reads `tools` (capability "tools"). */
  readonly usesTools: boolean;
  /** Renders; throws TemplateError (including the template's own raise_exception). */
  render(values: JinjaRenderValues): string;
}

export function parseJinjaTemplate(text: string): JinjaTemplate {
  let program: Program;
  try {
    program = parseProgram(text);
  } catch (e) {
    throw new TemplateError(`jinja: ${e instanceof Error ? e.message : String(e)}`, "parse");
  }
  return {
    source: text,
    usesTools: /\btools\b/.test(text),
    render: (values) => {
      const ctx = jinjaContext(values);
      try {
        return renderProgram(program, ctx);
      } catch (e) {
        // Python's Jinja iterates an undefined `tools` as empty; this runtime throws. Templates written
        // for that (Hermes, Command R, Functionary) get an empty list instead.
        if (ctx.tools === undefined) {
          try {
            return renderProgram(program, { ...ctx, tools: [] });
          } catch {
            // report the first error: it is the one about the caller's input
          }
        }
        throw new TemplateError(`jinja: ${e instanceof Error ? e.message : String(e)}`, "exec");
      }
    },
  };
}

/** The message as HF templates see it; absent fields stay undefined so `is defined` checks work. */
function jinjaMessage(m: TemplateMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.thinking) out.reasoning_content = m.thinking;
  if (m.toolCalls && m.toolCalls.length > 0) {
    out.tool_calls = m.toolCalls.map((tc, i) => ({
      id: tc.id ?? `call_${i}`,
      type: "function",
      function: { name: tc.function.name, arguments: tc.function.arguments ?? {} },
    }));
  }
  if (m.toolCallId) out.tool_call_id = m.toolCallId;
  if (m.toolName) out.name = m.toolName;
  return out;
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "26 Jul 2024", the form Llama 3.x templates print as today's date. */
function dateString(d = new Date()): string {
  return `${String(d.getDate()).padStart(2, "0")} ${months[d.getMonth()]} ${d.getFullYear()}`;
}

function jinjaContext(v: JinjaRenderValues): Record<string, unknown> {
  const ctx: Record<string, unknown> = {
    messages: v.messages.map(jinjaMessage),
    add_generation_prompt: v.addGenerationPrompt ?? true,
    bos_token: v.bosToken ?? "",
    eos_token: v.eosToken ?? "",
    date_string: dateString(),
    // FireFunction v2 reads these two, as llama.cpp provides them.
    datetime: new Date().toUTCString(),
    functions: v.tools && v.tools.length > 0 ? JSON.stringify(v.tools, null, 2) : "",
  };
  if (v.tools && v.tools.length > 0) ctx.tools = v.tools;
  if (v.think !== undefined) {
    ctx.enable_thinking = v.think !== false;
    if (typeof v.think === "string") ctx.reasoning_effort = v.think;
  }
  return { ...ctx, ...v.extra };
}
