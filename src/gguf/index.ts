// The GGUF module: read model metadata, write GGUF files, generate random-weight models.

export * from "./types.js";
export { readGguf, readTensorData, typedEntry, alignUp, shortestFloat32 } from "./reader.js";
export type { GgufFile, GgufTensorInfo, ReadGgufOptions } from "./reader.js";
export * from "./info.js";
export { writeGguf } from "./writer.js";
export { requantize } from "./requantize.js";
export { quantizable, planQuantization, type QuantFileType } from "./quant-plan.js";
export type { TensorToWrite, WriteGgufOptions } from "./writer.js";
export * from "./quant.js";
export { f32ToF16, f16ToF32 } from "./fp16.js";
export * from "./tokenizer.js";
export * from "./model.js";
export * from "./cache.js";
