// thinking/: thinking traces separated from a model's streamed output.
//
//   createThinkingParser({open, close, startsInside})  the streaming splitter (Ollama's thinking.Parser)
//   inferThinkingTags(template)                        Ollama's InferTags: the tags around .Thinking
//   promptEndsInThinking(prompt, open)                 whether the model starts inside thinking
//   createHarmonyParser()                              gpt-oss harmony output: thinking, content and calls

export { ThinkingParser, createThinkingParser, promptEndsInThinking } from "./parser.js";
export type { ThinkingOptions, ThinkingPiece } from "./parser.js";
export { inferThinkingTags, type ThinkingTags } from "./infer.js";
export { HarmonyParser, createHarmonyParser, type HarmonyPiece, type HarmonyOptions } from "./harmony.js";
