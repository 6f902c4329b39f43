/**
 * Which type each tensor gets when a model is quantized to one of the file types Ollama's create
 * offers (Q8_0, Q4_K_S, Q4_K_M, and F16 or F32), and in what order they are written: llama-quantize's choices
 * (llama_tensor_get_type), for the cases these file types reach. The K mixes spend more bits where
 * quantization hurts most: the output matrix (and tied token embeddings) in Q6_K, and V projections
 * and FFN down-projections of some layers in Q6_K (Q4_K_M) or Q5_K (Q4_K_S). Rows that are not whole
 * 256-value super-blocks fall back to a 32-value type (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0).
 */
import type { GgufFile, GgufTensorInfo } from "./reader.js";
import { architecture, archValue } from "./info.js";
import { FileType, GgmlType, ggmlTypeLayout } from "./types.js";
import { isWritableType, type WritableType } from "./quant.js";

/** The file types create can quantize to, named as `general.file_type`'s FileType keys. */
export type QuantFileType = keyof typeof FileType & ("F32" | "F16" | "BF16" | "Q8_0" | "Q4_K_S" | "Q4_K_M");

export interface PlannedTensor {
  tensor: GgufTensorInfo;
  type: WritableType;
}

const KEPT = [
  "_norm.weight",
  "ffn_gate_inp.weight",
  "ssm_conv1d.weight",
  "shortconv.conv.weight",
  "time_mix_",
  "attn_rel_b.weight",
];
const KEPT_EXACT = new Set(["position_embd.weight", "token_types.weight"]);

/** Whether llama-quantize would quantize this tensor at all. */
export function quantizable(t: GgufTensorInfo): boolean {
  const dims = t.shape.filter((d, i) => i === 0 || d > 1).length;
  return (
    t.name.endsWith("weight") && dims >= 2 && !KEPT.some((k) => t.name.includes(k)) && !KEPT_EXACT.has(t.name)
  );
}

type Category = "output" | "tokenEmbd" | "attnV" | "attnOutput" | "ffnDown" | "other";

function category(name: string): Category {
  if (name === "output.weight") return "output";
  if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") return "tokenEmbd";
  if (["attn_qkv.weight", "attn_kv_b.weight", "attn_v.weight"].some((s) => name.includes(s))) return "attnV";
  if (name.includes("attn_output.weight")) return "attnOutput";
  if (name.includes("ffn_down")) return "ffnDown";
  return "other";
}

/** llama.cpp's order: tensors outside the blocks first, then block by block, by name within each. */
export function quantizeOrder(tensors: readonly GgufTensorInfo[]): GgufTensorInfo[] {
  return [...tensors].sort(
    (a, b) => layerOf(a.name) - layerOf(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function layerOf(name: string): number {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : -1;
}

/** C's integer division, which llama.cpp's layer thresholds use. */
const div = (a: number, b: number): number => Math.trunc(a / b);

/** The layers llama.cpp gives more bits: the first and last eighth, and every third between. */
function moreBits(i: number, n: number): boolean {
  return i < div(n, 8) || i >= div(7 * n, 8) || (i - div(n, 8)) % 3 === 2;
}

const FALLBACK: Partial<Record<number, WritableType>> = {
  [GgmlType.Q4_K]: GgmlType.Q5_0,
  [GgmlType.Q5_K]: GgmlType.Q5_1,
  [GgmlType.Q6_K]: GgmlType.Q8_0,
};

/**
 * The type itself when rows are whole blocks of it; otherwise a k-quant's 32-value fallback, and
 * F16 when rows are not whole 32-value blocks either. Unblocked types (F32, F16, BF16) always fit.
 */
function fitRows(type: WritableType, rowLength: number): WritableType {
  if (rowLength % (ggmlTypeLayout(type)?.blockSize ?? 1) === 0) return type;
  const fallback = FALLBACK[type];
  return fallback !== undefined && rowLength % 32 === 0 ? fallback : GgmlType.F16;
}

/** Every tensor of `file` with the type `fileType` gives it, in llama-quantize's write order. */
export function planQuantization(file: GgufFile, fileType: QuantFileType): PlannedTensor[] {
  const arch = architecture(file);
  const num = (key: string): number => Number(archValue(file, key) ?? 0);
  const layers = num("block_count");
  const experts = num("expert_count");
  const falcon = arch === "falcon";
  // llama.cpp's 70B rule: eight query heads share each V matrix there, so V gets Q5_K
  const seventyB =
    arch === "llama" && layers === 80 && num("attention.head_count_kv") < num("attention.head_count");
  const tensors = quantizeOrder(file.tensors);
  const tied = !tensors.some((t) => t.name === "output.weight");
  const attnVTotal = tensors.filter((t) => category(t.name) === "attnV").length;
  let attnV = 0;
  let ffnDown = 0;
  const mixed = (t: GgufTensorInfo): WritableType => {
    if (fileType === "Q8_0" || fileType === "F16" || fileType === "BF16" || fileType === "F32")
      return GgmlType[fileType];
    const kind = category(t.name);
    const rowLength = t.shape[0] ?? 0;
    if (kind === "output" || (tied && kind === "tokenEmbd")) {
      return falcon || rowLength % 256 !== 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
    }
    if (kind === "attnV") {
      const i = attnV++;
      if (experts === 8) return GgmlType.Q8_0;
      if (fileType === "Q4_K_M" && moreBits(i, attnVTotal)) return GgmlType.Q6_K;
      if (fileType === "Q4_K_S" && i < 4) return GgmlType.Q5_K;
      return seventyB ? GgmlType.Q5_K : GgmlType.Q4_K;
    }
    if (kind === "ffnDown") {
      // MoE files interleave expert and shared-expert matrices, so their layer comes from the name
      const i = experts > 1 ? layerOf(t.name) : ffnDown;
      ffnDown++;
      if (fileType === "Q4_K_M") {
        if (falcon)
          return i < div(layers, 16) ? GgmlType.Q6_K : moreBits(i, layers) ? GgmlType.Q5_K : GgmlType.Q4_K;
        return moreBits(i, layers) ? GgmlType.Q6_K : GgmlType.Q4_K;
      }
      return !falcon && i < div(layers, 8) ? GgmlType.Q5_K : GgmlType.Q4_K;
    }
    if (kind === "attnOutput" && experts === 8 && !falcon) return GgmlType.Q5_K;
    return GgmlType.Q4_K;
  };
  return tensors.map((tensor) => {
    if (!quantizable(tensor)) return { tensor, type: keptType(tensor.type) };
    return { tensor, type: fitRows(mixed(tensor), tensor.shape[0] ?? 0) };
  });
}

/** A tensor left unquantized keeps its type (as llama-quantize copies it); anything else becomes F32. */
function keptType(type: number): WritableType {
  return isWritableType(type) ? type : GgmlType.F32;
}
