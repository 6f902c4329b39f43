/**
 * A LoRA adapter as PEFT saves it (adapter_config.json and adapter_model.safetensors, tensors named
 * `base_model.model.<module>.lora_A.weight` and `lora_B.weight`), converted to the GGUF LoRA that
 * llama.cpp applies to a base model at run time, as Ollama's create does for ADAPTER.
 */
import { typed } from "../gguf/index.js";
import { architectureNamed, ggufTensorName } from "./architectures.js";
import { checkpointTensors, headRowOrder, tensorToWrite, writeConverted } from "./tensors.js";
import { readJsonFile, sourceFiles, type Checkpoint } from "./source.js";

/** What the adapter needs to know of the model it adapts (from its GGUF). */
export interface BaseModel {
  architecture: string;
  headCount: number;
  headCountKv: number;
}

interface AdapterConfig {
  r?: number;
  lora_alpha?: number;
  /** MLX's spelling of the settings. */
  lora_parameters?: { rank?: number; alpha?: number };
}

/**
 * Writes the adapter `files` for `base` as a GGUF LoRA at `outPath`. A and B keep their shapes:
 * llama.cpp multiplies by B·A itself. Where the base model's q and k rows were regrouped (llama),
 * B's rows are regrouped the same way, as they are the rows of the product.
 */
export async function convertAdapter(
  files: Checkpoint,
  outPath: string,
  base: BaseModel,
  threads?: number,
): Promise<void> {
  const config = await readJsonFile<AdapterConfig>(sourceFiles(files), "adapter_config.json");
  const arch = architectureNamed(base.architecture);
  if (!arch || arch.name === "bert") throw new Error("unsupported architecture");
  const alpha = config.lora_parameters?.alpha || config.lora_alpha || 0;
  const found = await checkpointTensors(files, (hf) => {
    const m = /^(?:base_model\.model\.)?(.+)\.lora_([AaBb])(?:\.weight)?$/.exec(hf);
    if (!m) throw new Error(`unsupported adapter tensor "${hf}"`);
    const name = ggufTensorName(`${m[1]}.weight`, arch);
    return name === null ? null : `${name}.lora_${(m[2] as string).toLowerCase()}`;
  });
  for (const { name, tensor } of found) {
    const [rows = 0, cols = 0] = tensor.shape;
    if (name.endsWith(".lora_a") && rows > cols)
      throw new Error(`${tensor.name} is stored transposed (an MLX adapter), which is not supported`);
  }
  await writeConverted(outPath, threads, (fdOf) => ({
    metadata: {
      "general.architecture": typed.str(arch.name),
      "general.type": typed.str("adapter"),
      "general.file_type": typed.u32(1),
      "adapter.type": typed.str("lora"),
      "adapter.lora.alpha": typed.f32(alpha),
    },
    tensors: found.map((t) => {
      // B's rows are the product's: regrouped where the base model's q and k rows were
      const target = t.name.endsWith(".lora_b") ? t.name.slice(0, -".lora_b".length) : undefined;
      const heads =
        target &&
        arch.repackHeads?.(target, {
          num_attention_heads: base.headCount,
          num_key_value_heads: base.headCountKv,
        });
      const rowOf = heads ? headRowOrder(t.tensor.shape[0] ?? 0, heads, t.tensor.name) : undefined;
      return tensorToWrite(t, fdOf, { rowOf });
    }),
  }));
}
