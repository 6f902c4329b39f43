// Hugging Face checkpoints to GGUF (create from a safetensors folder).

export { convertCheckpoint, type Checkpoint } from "./convert.js";
export { convertAdapter, type BaseModel } from "./adapter.js";
export { readTokenizer, type Tokenizer, type SourceFiles } from "./tokenizer.js";
export { readSafetensors, type SafetensorsTensor } from "./safetensors.js";
