// Ollama's built-in parsers by the name a Modelfile's PARSER gives (config.parser), as in
// model/parsers.ParserForName. Names Ollama knows but tollama doesn't yet return undefined, and the
// model falls back to the template-inferred tool and thinking parsers.

import { HarmonyParser } from "../../thinking/harmony.js";
import {
  parseCogitoCall,
  parseDeepSeekCall,
  parseJsonCall,
  parseXmlCall,
  type CallBodyParser,
} from "./calls.js";
import { parsePythonCalls } from "../python.js";
import { parseGlmCall } from "./glm.js";
import { TaggedParser, type TaggedFormat } from "./tagged.js";
import { MinistralParser } from "./ministral.js";
import { ThinkFirstParser } from "./think-first.js";
import { olmo3Format } from "./olmo3.js";
import { BlockCallsParser } from "./blocks.js";
import { CohereParser } from "./cohere.js";
import { functionGemmaFormat } from "./functiongemma.js";
import { Gemma4Parser } from "./gemma4.js";
import { emptyPiece, thinkingOn, type BuiltinParser, type ParsedPiece, type ParserInit } from "./types.js";

export type { BuiltinParser, ParsedPiece, ParserInit } from "./types.js";
export { parseXmlCall, parseJsonCall } from "./calls.js";
export { typedValue, parameterTypes } from "./typed.js";

const think = { open: "<think>", close: "</think>" };
const qwenTools = { toolOpen: "<tool_call>", toolClose: "</tool_call>" };
const deepseekTools = {
  toolOpen: "<｜tool▁call▁begin｜>",
  toolClose: "<｜tool▁call▁end｜>",
  ignore: ["<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>"],
};

/**
 * LFM2's calls: a Python-style list (`[get_weather(city="Paris"), get_time()]`) or a single call,
 * each naming a declared tool.
 */
const pythonicCalls: CallBodyParser = (raw, tools) =>
  parsePythonCalls(raw, new Map(tools.map((t) => [t.function.name, t])))?.calls;

/** An XML call is whole once its function element closes; before that a value may be cut short. */
const xmlWhole = (raw: string) => raw.includes("</function>");

const formats = {
  qwen3: { ...qwenTools, parseCall: parseJsonCall },
  qwen3Thinking: { ...qwenTools, thinking: think, parseCall: parseJsonCall },
  qwen3Coder: { ...qwenTools, parseCall: parseXmlCall, wholeWithoutClose: xmlWhole },
  qwen35: { ...qwenTools, thinking: think, parseCall: parseXmlCall, wholeWithoutClose: xmlWhole },
  deepseek3: { ...deepseekTools, thinking: think, parseCall: parseDeepSeekCall },
  cogito: { ...deepseekTools, thinking: think, parseCall: parseCogitoCall },
  // GLM's arguments have no closing element of their own: an unclosed call is never whole
  glm47: { ...qwenTools, thinking: think, parseCall: parseGlmCall, wholeWithoutClose: () => false },
  lfm2: {
    toolOpen: "<|tool_call_start|>",
    toolClose: "<|tool_call_end|>",
    thinking: think,
    parseCall: pythonicCalls,
  },
} satisfies Record<string, TaggedFormat>;

/** A prefill (the conversation ends in an assistant message with content) continues the answer. */
const prefill = (init: ParserInit) =>
  init.lastMessage?.role === "assistant" && init.lastMessage.content !== "";

const constructors: Record<string, (init: ParserInit) => BuiltinParser> = {
  qwen3: (i) => new TaggedParser(formats.qwen3, i, false),
  "qwen3-thinking": (i) => new TaggedParser(formats.qwen3Thinking, i, thinkingOn(i.think)),
  "qwen3-coder": (i) => new TaggedParser(formats.qwen3Coder, i, false),
  "qwen3-vl-instruct": (i) => new TaggedParser(formats.qwen3, i, false),
  // Ollama starts qwen3-vl-thinking in thinking whatever `think` says: the model always thinks.
  "qwen3-vl-thinking": (i) => new TaggedParser(formats.qwen3Thinking, i, !prefill(i)),
  "qwen3.5": (i) => new TaggedParser(formats.qwen35, i, thinkingOn(i.think) && !prefill(i)),
  ornith: (i) => new TaggedParser(formats.qwen35, i, thinkingOn(i.think) && !prefill(i)),
  // Nemotron 3 Nano thinks and calls as Qwen3.5 does (<think>, then Qwen3-Coder's XML calls).
  "nemotron-3-nano": (i) => new TaggedParser(formats.qwen35, i, thinkingOn(i.think) && !prefill(i)),
  "nemotron-3.5-nano": (i) => new TaggedParser(formats.qwen35, i, thinkingOn(i.think) && !prefill(i)),
  deepseek3: (i) => new TaggedParser(formats.deepseek3, i, thinkingOn(i.think) && !prefill(i)),
  // Cogito does not think when given tools.
  cogito: (i) =>
    new TaggedParser(formats.cogito, i, thinkingOn(i.think) && !prefill(i) && (i.tools?.length ?? 0) === 0),
  // GLM-4.7's prompt opens <think> unless thinking is off; then, as in Ollama, output that opens
  // one itself still thinks.
  "glm-4.7": (i) => new TaggedParser(formats.glm47, i, thinkingOn(i.think) ? true : "if-opened"),
  // GLM-OCR: GLM's parser without thinking support (a <think> the output opens is still thinking).
  "glm-ocr": (i) => new TaggedParser(formats.glm47, i, "if-opened", false),
  harmony: (i) => new HarmonyAdapter(i),
  // Ollama registers it without thinking support; [THINK] blocks in the output are still thinking.
  ministral: (i) => new MinistralParser(i, false),
  olmo3: (i) => new BlockCallsParser(olmo3Format, i),
  // LFM2 writes <think> only when it chooses to reason: thinking starts only where the output opens it.
  lfm2: (i) => new TaggedParser(formats.lfm2, i, false, false),
  "lfm2-thinking": (i) =>
    new TaggedParser(formats.lfm2, i, thinkingOn(i.think) && !prefill(i) ? "if-opened" : false),
  cohere: (i) => new CohereParser(i),
  functiongemma: (i) => new BlockCallsParser(functionGemmaFormat, i),
  gemma4: (i) => new Gemma4Parser(i, true),
  "gemma4-no-thinking": (i) => new Gemma4Parser(i, false),
  "olmo3-think": (i) => new ThinkFirstParser(i),
  passthrough: () => ({
    hasToolSupport: false,
    hasThinkingSupport: false,
    add: (text) => ({ ...emptyPiece(), content: text }),
  }),
};

/** The parser a model's config names, ready for one response; undefined for unknown names. */
export function parserForName(name: string, init: ParserInit = {}): BuiltinParser | undefined {
  const make = Object.hasOwn(constructors, name) ? constructors[name] : undefined;
  return make?.(init);
}

/** What a parser adds to a model's capabilities (Ollama's parserCapabilities), without a request. */
export function parserCapabilities(name: string): { tools: boolean; thinking: boolean } {
  const p = parserForName(name);
  return { tools: p?.hasToolSupport ?? false, thinking: p?.hasThinkingSupport ?? false };
}

/** The names known here, for errors and docs. */
export const builtinParserNames: readonly string[] = Object.keys(constructors);

/** gpt-oss: the harmony parser in thinking/, behind the built-in parser interface. */
class HarmonyAdapter implements BuiltinParser {
  readonly hasToolSupport = true;
  readonly hasThinkingSupport = true;
  private readonly inner: HarmonyParser;
  constructor(init: ParserInit) {
    const last = init.lastMessage?.role === "assistant" ? init.lastMessage : undefined;
    const continues = last?.content ? "content" : last?.thinking ? "thinking" : undefined;
    this.inner = new HarmonyParser({
      ...(init.newId ? { newId: init.newId } : {}),
      continues,
    });
  }
  add(text: string, done: boolean): ParsedPiece {
    const a = this.inner.add(text);
    if (!done) return a;
    const b = this.inner.flush();
    return {
      content: a.content + b.content,
      thinking: a.thinking + b.thinking,
      calls: [...a.calls, ...b.calls],
    };
  }
}
