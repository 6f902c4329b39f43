/**
 * /api/show (Ollama's ShowHandler and GetModelInfo): everything known about a stored model, as a
 * wire object whose keys follow Go's ShowResponse field order.
 */
import { OllamaError, errors } from "./errors.js";
import { cloudDisabled, parseModelRef } from "./model-ref.js";
import { detailsJson } from "./details.js";
import type { Models } from "./models.js";
import {
  InvalidNameError,
  displayShortest,
  type ModelName,
  type Store,
  type StoredModel,
} from "../store/index.js";
import {
  ggmlTypeName,
  isGgufArray,
  parameterCount,
  quantizationLevel,
  readGguf,
  type GgufFile,
  type GgufValue,
} from "../gguf/index.js";
import { showModelfile, showParameters } from "../modelfile/index.js";
import { defaultTemplateSource } from "../template/index.js";
import type { GoAny, ShowRequest } from "../api/wire/index.js";

export interface ShowContext {
  store: Store;
  models: Pick<Models, "capabilitiesOf">;
}

/** What the response's modified_at is printed from; the route owns the time format. */
export interface ShowResult {
  body: Record<string, unknown>;
  modifiedAt: Date;
}

export async function showModel(ctx: ShowContext, req: ShowRequest): Promise<ShowResult> {
  const ref = parseModelRef(req.model || req.name);
  if (!ref) throw errors.modelRequired();
  if (ref.source === "cloud") throw cloudDisabled("details");

  let name: ModelName;
  try {
    name = await ctx.store.resolveName(ref.base);
  } catch (err) {
    if (err instanceof InvalidNameError) throw errors.invalidModelName();
    throw err;
  }
  const shown = displayShortest(name);
  const notFound = () => new OllamaError(404, `model '${shown}' not found`);

  let stored: StoredModel;
  try {
    stored = await ctx.store.readModel(name);
  } catch (err) {
    if ((err as { status?: number }).status === 404) throw notFound();
    throw err;
  }
  if (!stored.modelPath) throw notFound();

  let gguf: GgufFile;
  try {
    gguf = await readGguf(stored.modelPath, req.verbose ? {} : { maxArrayLength: 0 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw notFound();
    throw err;
  }

  const system = req.system !== "" ? req.system : (stored.system ?? "");
  const goTemplate = stored.template ?? defaultTemplateSource;
  const chatTemplate = gguf.metadata["tokenizer.chat_template"];
  // Without a Go template the GGUF's own chat template renders chats, so that is what is shown.
  const template =
    stored.template === undefined && typeof chatTemplate === "string" && chatTemplate !== ""
      ? chatTemplate
      : goTemplate;

  const cfg = stored.config;
  let quantization = cfg.file_type ?? "";
  if (isUnknownQuantization(quantization)) {
    const fromFile = quantizationLevel(gguf);
    if (!isUnknownQuantization(fromFile)) quantization = fromFile;
  }
  const details = detailsJson({
    parentModel: stored.parentModel ?? "",
    format: cfg.model_format ?? "",
    family: cfg.model_family ?? "",
    families: cfg.model_families && cfg.model_families.length > 0 ? [...cfg.model_families] : null,
    parameterSize: cfg.model_type ?? "",
    quantizationLevel: quantization,
  });

  const params = stored.params ?? {};
  const parameters = showParameters(params);
  const options: Record<string, unknown> = { ...params };
  for (const [k, v] of Object.entries(req.options ?? {})) options[k] = v;

  const modelfile = showModelfile({
    shortName: stored.shortName,
    modelPath: stored.modelPath,
    adapterPaths: stored.adapterPaths,
    ...(stored.draftPath ? { draftPath: stored.draftPath } : {}),
    projectorPaths: stored.projectorPaths,
    template: goTemplate,
    system,
    ...(cfg.renderer ? { renderer: cfg.renderer } : {}),
    ...(cfg.parser ? { parser: cfg.parser } : {}),
    options,
    license: stored.license,
    messages: (stored.messages ?? []).map((m) => ({ role: m.role, content: m.content })),
  });

  const body: Record<string, unknown> = {};
  const license = stored.license.join("\n");
  if (license) body.license = license;
  body.modelfile = modelfile;
  if (parameters) body.parameters = parameters;
  if (template) body.template = template;
  if (system) body.system = system;
  if (cfg.renderer) body.renderer = cfg.renderer;
  if (cfg.parser) body.parser = cfg.parser;
  body.details = details;
  const messages = (stored.messages ?? []).map((m) => ({ role: m.role, content: m.content }));
  if (messages.length > 0) body.messages = messages;
  body.model_info = modelInfo(gguf);
  if (stored.projectorPaths[0]) {
    const projector = await readGguf(stored.projectorPaths[0], req.verbose ? {} : { maxArrayLength: 0 });
    body.projector_info = modelInfo(projector, false);
  }
  if (gguf.tensors.length > 0) {
    body.tensors = gguf.tensors.map((t) => ({
      name: t.name,
      type: ggmlTypeName(t.type),
      shape: [...t.shape],
    }));
  }
  const capabilities = await ctx.models.capabilitiesOf(stored);
  if (capabilities.length > 0) body.capabilities = capabilities;
  body.modified_at = null; // placeholder keeping Go's field order; the route fills it in
  if (cfg.requires) body.requires = cfg.requires;
  return { body, modifiedAt: stored.entry.modifiedAt };
}

function isUnknownQuantization(q: string): boolean {
  return q === "" || q.toLowerCase() === "unknown";
}

/**
 * The GGUF key/values as Ollama's KV map prints them: keys sorted (a Go map), arrays not read
 * (longer than the limit) as null, the parameter count patched in, and the name and chat template
 * left out.
 */
export function modelInfo(f: GgufFile, forModel = true): Record<string, GoAny> {
  const kv = new Map<string, GoAny>();
  for (const [k, v] of Object.entries(f.metadata)) kv.set(k, jsonValue(v));
  kv.set("general.parameter_count", parameterCount(f));
  if (forModel) {
    kv.delete("general.name");
    kv.delete("tokenizer.chat_template");
  }
  const keys = [...kv.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const out: Record<string, GoAny> = Object.create(null) as Record<string, GoAny>;
  for (const k of keys) out[k] = kv.get(k) ?? null;
  return out;
}

function jsonValue(v: GgufValue): GoAny {
  if (typeof v === "bigint") return Number(v);
  if (isGgufArray(v)) return v.values === undefined ? null : v.values.map(jsonValue);
  return v;
}
