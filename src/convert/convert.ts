/**
 * Converts a Hugging Face safetensors checkpoint (config.json, *.safetensors, and its tokenizer
 * files) to a GGUF, as Ollama's `create` does for such a folder: matrices as F16 (BF16 where the
 * checkpoint has BF16), vectors and biases as F32, general.file_type F16.
 */
import { GgufValueType, TokenType, typed, type GgufTypedValue } from "../gguf/index.js";
import { architectureFor, ggufTensorName, ropeFactorTensors, type HfConfig } from "./architectures.js";
import { readTokenizer, type Tokenizer } from "./tokenizer.js";
import { checkpointTensors, headRowOrder, tensorToWrite, vectorTensor, writeConverted } from "./tensors.js";
import { readJsonFile, sourceFiles, type Checkpoint } from "./source.js";

/**
 * Writes the checkpoint `files` as a GGUF at `outPath`; tensors are encoded on `threads` worker
 * threads (default: one per core the process may use).
 */
export async function convertCheckpoint(files: Checkpoint, outPath: string, threads?: number): Promise<void> {
  const source = sourceFiles(files);
  const checkpointConfig = await readJsonFile<HfConfig>(source, "config.json");
  const arch = architectureFor(checkpointConfig);
  const config = arch.settings?.(checkpointConfig) ?? checkpointConfig;
  const extra = (await arch.prepare?.(source)) ?? {};
  const tokenizer = await readTokenizer(source);
  padVocabulary(tokenizer, config.vocab_size ?? 0);
  arch.adjustTokenizer?.(tokenizer);
  const found = await checkpointTensors(files, (name) => ggufTensorName(name, arch));

  await writeConverted(outPath, threads, (fdOf) => ({
    metadata: {
      "general.architecture": typed.str(arch.name),
      "general.file_type": typed.u32(1),
      "general.quantization_version": typed.u32(2),
      ...arch.metadata(config, tokenizer.vocab.tokens.length),
      ...extra,
      ...tokenizerMetadata(tokenizer),
    },
    tensors: [
      ...ropeFactorTensors(arch, config).map(([name, values]) => vectorTensor(name, values)),
      ...found.map((t) => {
        const heads = arch.repackHeads?.(t.name, config);
        const rowOf = heads ? headRowOrder(t.tensor.shape[0] ?? 0, heads, t.tensor.name) : undefined;
        return tensorToWrite(t, fdOf, { rowOf, addOne: arch.addsOne?.(t.name) });
      }),
    ],
  }));
}

/**
 * A vocabulary shorter than config.json's vocab_size is padded with placeholder tokens (the
 * embedding matrix has rows for them); a longer one stands.
 */
function padVocabulary(t: Tokenizer, size: number): void {
  const v = t.vocab;
  for (let i = 0; v.tokens.length < size; i++) {
    v.tokens.push(`[PAD${i}]`);
    v.scores.push(-1);
    v.types.push(TokenType.USER_DEFINED);
  }
}

function tokenizerMetadata(t: Tokenizer): Record<string, GgufTypedValue> {
  const out: Record<string, GgufTypedValue> = {
    "tokenizer.ggml.model": typed.str(t.vocab.model),
    "tokenizer.ggml.pre": typed.str(t.pre),
    "tokenizer.ggml.tokens": typed.array(GgufValueType.STRING, t.vocab.tokens),
    "tokenizer.ggml.scores": typed.array(GgufValueType.FLOAT32, t.vocab.scores),
    "tokenizer.ggml.token_type": typed.array(GgufValueType.INT32, t.vocab.types),
  };
  if (t.merges.length > 0) out["tokenizer.ggml.merges"] = typed.array(GgufValueType.STRING, t.merges);
  for (const s of t.specials) {
    const key = specialKey[s.kind];
    out[`tokenizer.ggml.add_${key}_token`] = typed.bool(s.add);
    out[`tokenizer.ggml.${key}_token_id`] = typed.u32(s.id);
    if (s.ids && s.ids.length > 0)
      out[`tokenizer.ggml.${key}_token_ids`] = typed.array(GgufValueType.INT32, s.ids);
  }
  if (t.template) out["tokenizer.chat_template"] = typed.str(t.template);
  return out;
}

/** GGUF's names for the special token kinds (llama.cpp's spelling of "separator" included). */
const specialKey = {
  bos: "bos",
  eos: "eos",
  unk: "unknown",
  sep: "seperator",
  pad: "padding",
  cls: "cls",
  mask: "mask",
} as const;
