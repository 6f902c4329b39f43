// Hugging Face checkpoints to GGUF (create from a safetensors folder).

export { convertCheckpoint } from "./convert.js";
export { convertAdapter, type BaseModel } from "./adapter.js";
export { readTokenizer, type Tokenizer } from "./tokenizer.js";
export type { Checkpoint, SourceFiles } from "./source.js";
export { readSafetensors, type SafetensorsTensor } from "./safetensors.js";
