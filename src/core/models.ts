/**
 * Models as the core sees them: a stored model resolved to its GGUF metadata, its prompt
 * template (Go, or the GGUF's Jinja chat template as a fallback) and its capabilities.
 * Metadata and parsed templates are cached by blob digest, since both are immutable.
 */
import type { ModelSummary, Store, StoredModel } from "../store/index.js";
import { readGguf, summarize, type GgufFile, type ModelSummary as GgufSummary } from "../gguf/index.js";
import {
  defaultTemplateSource,
  parseJinjaTemplate,
  parseOllamaTemplate,
  type JinjaTemplate,
  type OllamaTemplate,
} from "../template/index.js";
import { inferThinkingTags } from "../thinking/index.js";
import { parserCapabilities } from "../tools/parsers/index.js";

export type Capability = "completion" | "tools" | "insert" | "vision" | "embedding" | "thinking";

export interface ResolvedModel {
  stored: StoredModel;
  /** As /api/tags prints it: "llama3:latest". */
  shortName: string;
  /** host/namespace/model:tag, as Ollama's capability errors print it. */
  fullName: string;
  modelPath: string;
  gguf: GgufSummary;
  /** Metadata with long arrays elided (what /api/show prints unless verbose). */
  metadata: GgufFile;
  /** The Go template; Ollama's default `{{ .Prompt }}` when the model has none and no Jinja template. */
  template: OllamaTemplate;
  /** The GGUF's chat template, used when the model has no Go template. */
  jinja?: JinjaTemplate | undefined;
  thinkingTags?: { open: string; close: string } | undefined;
  capabilities: Capability[];
}

export interface ModelEntry {
  summary: ModelSummary;
  capabilities: Capability[];
}

export interface Models {
  list(): Promise<ModelEntry[]>;
  /** Throws the store's not-found / invalid-name errors. */
  resolve(name: string): Promise<ResolvedModel>;
  /** Capabilities of a stored model without loading it (for /api/tags and /api/show). */
  capabilitiesOf(stored: StoredModel): Promise<Capability[]>;
  /** Forget resolved models; routes that change the store call it. */
  invalidate(): void;
}

export function createModels(store: Store): Models {
  const metadata = new Map<string, Promise<GgufFile>>();
  const templates = new Map<string, OllamaTemplate>();
  // Resolved models by name as requested: a request must not read manifests from disk, since file
  // I/O shares libuv's single pool thread with decoding and would wait behind every token.
  const resolved = new Map<string, Promise<ResolvedModel>>();

  const ggufOf = (path: string): Promise<GgufFile> => {
    let p = metadata.get(path);
    if (!p) {
      p = readGguf(path, { maxArrayLength: 0 });
      metadata.set(path, p);
      p.catch(() => metadata.delete(path));
    }
    return p;
  };

  const goTemplate = (source: string): OllamaTemplate => {
    let t = templates.get(source);
    if (!t) {
      t = parseOllamaTemplate(source);
      templates.set(source, t);
    }
    return t;
  };

  async function analyse(stored: StoredModel) {
    const modelPath = stored.modelPath;
    const file = modelPath ? await ggufOf(modelPath) : undefined;
    const gguf = file ? summarize(file) : undefined;
    const chatTemplate = file ? metadataString(file, "tokenizer.chat_template") : undefined;
    const template = goTemplate(stored.template ?? defaultTemplateSource);
    const jinja =
      stored.template === undefined && chatTemplate ? parseJinjaTemplate(chatTemplate) : undefined;
    const inferred = stored.template !== undefined ? inferThinkingTags(template.template.root) : undefined;
    const tags = inferred?.open && inferred.close ? inferred : undefined;
    const caps = new Set<Capability>();
    for (const c of stored.config.capabilities ?? []) caps.add(c as Capability);
    if (gguf) caps.add(gguf.isEmbedding ? "embedding" : "completion");
    if (gguf?.hasVision || stored.projectorPaths.length > 0) caps.add("vision");
    if (jinja && chatTemplate) {
      if (chatTemplate.includes("tools") || chatTemplate.includes("tool_call")) caps.add("tools");
      if (chatTemplate.includes("<think>") && chatTemplate.includes("</think>")) caps.add("thinking");
    } else {
      if (template.usesTools) caps.add("tools");
      if (template.usesSuffix) caps.add("insert");
      if (tags) caps.add("thinking");
    }
    // A built-in PARSER brings its own tool and thinking support (Ollama's parserCapabilities).
    if (stored.config.parser) {
      const p = parserCapabilities(stored.config.parser);
      if (p.tools) caps.add("tools");
      if (p.thinking) caps.add("thinking");
    }
    return { file, gguf, template, jinja, tags, capabilities: [...caps] };
  }

  return {
    async list() {
      const summaries = await store.list();
      return Promise.all(
        summaries.map(async (summary) => {
          let capabilities: Capability[] = [];
          try {
            const a = await analyse(await store.readModel(summary.name));
            capabilities = a.capabilities;
            // Lengths the config does not record come from the GGUF, as in Ollama's list.
            const details = { ...summary.details };
            details.contextLength ||= a.gguf?.contextLength || undefined;
            details.embeddingLength ||= a.gguf?.embeddingLength || undefined;
            summary = { ...summary, details };
          } catch {
            // a model whose blobs are unreadable still lists, without capabilities
          }
          return { summary, capabilities };
        }),
      );
    },
    resolve(name) {
      let r = resolved.get(name);
      if (!r) {
        r = resolveNow(name);
        resolved.set(name, r);
        r.catch(() => resolved.delete(name));
      }
      return r;
    },
    async capabilitiesOf(stored) {
      return (await analyse(stored)).capabilities;
    },
    invalidate() {
      resolved.clear();
    },
  };

  async function resolveNow(name: string): Promise<ResolvedModel> {
    const stored = await store.readModel(name);
    const a = await analyse(stored);
    if (!stored.modelPath || !a.file || !a.gguf) throw new Error(`model '${name}' has no model layer`);
    return {
      stored,
      shortName: stored.shortName,
      fullName: stored.fullName,
      modelPath: stored.modelPath,
      gguf: a.gguf,
      metadata: a.file,
      template: a.template,
      jinja: a.jinja,
      thinkingTags: a.tags,
      capabilities: a.capabilities,
    };
  }
}

function metadataString(f: GgufFile, key: string): string | undefined {
  const v = f.metadata[key];
  return typeof v === "string" ? v : undefined;
}
