/**
 * The real engine with a scripted answer: prompts are tokenized and evaluated by llama.cpp as
 * usual, but the "generated" text is whatever the test queued, a few characters per step. This
 * makes parsers testable end to end with a random-weight model.
 */
import { createLlamaEngine } from "../../src/engine/llama.js";
import type { Engine, EngineSequence } from "../../src/engine/types.js";

export interface ScriptedEngine extends Engine {
  /** The text the next generation produces, then ends (as if by an end-of-generation token). */
  script(text: string): void;
  /** The last prompt (token count) the model received. */
  lastPromptTokens: number;
}

export function createScriptedEngine(pieceSize = 3): ScriptedEngine {
  const engine = createLlamaEngine({ maxThreads: 1, library: "cpu" });
  const queue: string[] = [];
  const self: ScriptedEngine = {
    ...engine,
    lastPromptTokens: 0,
    script: (text) => void queue.push(text),
    async loadModel(opts, signal) {
      const model = await engine.loadModel(opts, signal);
      return new Proxy(model, {
        get(target, key, receiver) {
          if (key !== "acquireSequence") return Reflect.get(target, key, receiver) as unknown;
          return (tokens: readonly number[]): EngineSequence | undefined => {
            const seq = target.acquireSequence(tokens);
            if (!seq) return undefined;
            return {
              get cachedTokens() {
                return seq.cachedTokens;
              },
              release: () => seq.release(),
              async *generate(prompt, _sampling, o) {
                self.lastPromptTokens = prompt.length;
                o.onPromptDone?.(prompt.length);
                const text = queue.shift() ?? "";
                for (let i = 0; i < text.length; i += pieceSize) {
                  if (o.signal?.aborted) return;
                  await Promise.resolve();
                  yield { token: i, text: text.slice(i, i + pieceSize) };
                }
              },
            };
          };
        },
      });
    },
  };
  return self;
}
