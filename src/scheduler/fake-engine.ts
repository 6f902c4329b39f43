/** A scripted engine for scheduler and core unit tests: each model "generates" a fixed token list. */
import type { Engine, EngineSequence, LoadedModel, LoadOptions } from "../engine/types.js";

export interface FakeEngine extends Engine {
  loads: LoadOptions[];
  disposed: string[];
}

export interface FakeMemory {
  /** RAM free with nothing loaded. Default 1e10. */
  ram: number;
  /** What each model needs. Default 1000. */
  perModel: number;
  /** What each of its sequences adds to an estimate. Default 0. */
  perSequence: number;
  /** VRAM free with nothing loaded; above 0 the engine has a GPU. Default 0. */
  vram: number;
  /** What each model wants in VRAM with every layer offloaded. Default 0. */
  perModelVram: number;
}

export function createFakeEngine(script: number[] = [1, 2, 3], memory: Partial<FakeMemory> = {}): FakeEngine {
  const loads: LoadOptions[] = [];
  const disposed: string[] = [];
  const { ram = 1e10, perModel = 1000, perSequence = 0, vram = 0, perModelVram = 0 } = memory;
  let loaded = 0;
  return {
    loads,
    disposed,
    loadModel(opts) {
      loads.push(opts);
      loaded++;
      return Promise.resolve(
        fakeModel(opts, script, () => {
          loaded--;
          disposed.push(opts.path);
        }),
      );
    },
    estimate: (o) => Promise.resolve({ ram: perModel + perSequence * o.sequences, vram: perModelVram }),
    memory: () =>
      Promise.resolve({
        ramFree: ram - loaded * perModel,
        ramTotal: ram,
        vramFree: Math.max(0, vram - loaded * perModelVram),
        vramTotal: vram,
        gpu: vram > 0 ? "cuda" : false,
      }),
    dispose: () => Promise.resolve(),
  };
}

function fakeModel(opts: LoadOptions, script: number[], onDispose: () => void): LoadedModel {
  const busy = new Array<boolean>(opts.sequences).fill(false);
  return {
    facts: { sizeBytes: 1000, vramBytes: 0 },
    contextSize: opts.contextSize,
    sequences: opts.sequences,
    addBos: false,
    bosToken: undefined,
    tokenize: (text) => [...text].map((c) => c.charCodeAt(0)),
    detokenize: (tokens) => String.fromCharCode(...tokens),
    isEndOfGeneration: () => false,
    acquireSequence() {
      const i = busy.indexOf(false);
      if (i < 0) return undefined;
      busy[i] = true;
      const seq: EngineSequence = {
        cachedTokens: [],
        release: () => (busy[i] = false),
        async *generate(_prompt, _sampling, o) {
          o.onPromptDone?.(_prompt.length);
          for (const t of script) {
            if (o.signal?.aborted) return;
            await Promise.resolve();
            yield { token: t, text: String.fromCharCode(96 + t) };
          }
        },
      };
      return seq;
    },
    dispose: () => {
      onDispose();
      return Promise.resolve();
    },
  };
}
