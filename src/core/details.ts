/** Ollama's api.ModelDetails on the wire (field order as Go marshals it). */
import type { ModelDetails } from "../store/index.js";

export function detailsJson(d: ModelDetails): Record<string, unknown> {
  return {
    parent_model: d.parentModel,
    format: d.format,
    family: d.family,
    families: d.families,
    parameter_size: d.parameterSize,
    quantization_level: d.quantizationLevel,
    ...(d.contextLength ? { context_length: d.contextLength } : {}),
    ...(d.embeddingLength ? { embedding_length: d.embeddingLength } : {}),
  };
}
