// Writes a random-weight GGUF model of a preset's shape:
//   node dist/scripts/make-model.js --preset qwen2.5-0.5b --quant Q8_0 --out PATH [--vocab PATH]
// Without --out, the model goes to the test cache (.cache/models) and its path is printed.

import { parseArgs } from "node:util";
import { ensureModel } from "../src/gguf/cache.js";
import {
  isPresetName,
  isQuantName,
  presetSpec,
  PRESETS,
  writeRandomModel,
  type ModelSpec,
} from "../src/gguf/model.js";
import { readGguf } from "../src/gguf/reader.js";
import { summarize } from "../src/gguf/info.js";

const USAGE = `usage: make-model --preset ${Object.keys(PRESETS).join("|")} [--quant F32|F16|Q8_0|Q4_0] [--out PATH] [--vocab VOCAB.gguf [--vocab-size N]] [--builtin-vocab] [--seed N]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: "string" },
      quant: { type: "string" },
      out: { type: "string" },
      vocab: { type: "string" },
      "vocab-size": { type: "string" },
      "builtin-vocab": { type: "boolean" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.preset) return void console.log(USAGE);
  if (!isPresetName(values.preset)) throw new Error(`unknown preset ${values.preset}\n${USAGE}`);
  if (values.quant !== undefined && !isQuantName(values.quant))
    throw new Error(`unknown quant ${values.quant}\n${USAGE}`);
  const overrides: Partial<ModelSpec> = {};
  if (values.quant) overrides.quant = values.quant;
  if (values["vocab-size"]) overrides.vocab = Number(values["vocab-size"]);
  // a vocab file sets the vocabulary size, unless --vocab-size asks to pad or truncate it
  if (values.vocab)
    overrides.tokenizer = { kind: "gguf", path: values.vocab, resize: !!values["vocab-size"] };
  if (values["builtin-vocab"]) overrides.tokenizer = { kind: "builtin" };
  if (values.seed) overrides.seed = Number(values.seed);

  const started = Date.now();
  let path: string;
  if (values.out) {
    path = values.out;
    await writeRandomModel(path, presetSpec(values.preset, overrides));
  } else {
    path = await ensureModel(values.preset, { overrides });
  }
  const s = summarize(await readGguf(path, { maxArrayLength: 0 }));
  console.log(
    `${path}: ${s.architecture} ${s.parameterSize} ${s.quantizationLevel} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
