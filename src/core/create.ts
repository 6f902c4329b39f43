/**
 * Creating a model (Ollama's CreateHandler and createModel): from an existing model or from
 * uploaded GGUF blobs, plus template, system prompt, parameters, messages, license and adapters.
 * `createModel` is an async generator of progress objects. Request checks Ollama makes before it
 * starts streaming throw before the first yield, so the route answers them as plain HTTP errors;
 * anything after that arrives as a final `{"error": ...}` line, as with Ollama.
 */
import fs from "node:fs/promises";
import { OllamaError } from "./errors.js";
import {
  InvalidNameError,
  MEDIA_TYPES,
  displayShortest,
  isValidDigest,
  type ConfigV2,
  type Layer,
  type ManifestEntry,
  type ModelName,
  type Store,
} from "../store/index.js";
import { readGguf, summarize, type GgufFile } from "../gguf/index.js";
import { parseOllamaTemplate } from "../template/index.js";
import {
  goJsonString,
  marshalGoAny,
  marshalToolArguments,
  type CreateRequest,
  type GoAny,
  type Message,
} from "../api/wire/index.js";
import { DIGEST_PATTERN, detectContentType, normaliseDigest, validFsPath } from "./create/files.js";
import { detectTemplate } from "./create/templates.js";
import { quantizeLayers } from "./create/quantize.js";
import { convertToBlob } from "./create/convert.js";
import type { BaseModel } from "../convert/index.js";

export interface CreateProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface CreateContext {
  store: Store;
  /**
   * Pulls a base model that is not in the store, as Ollama's create does for FROM, reporting the
   * pull's progress; unset (tests of pure logic), a missing base is Ollama's "try pulling it first".
   */
  pull?: (name: ModelName) => AsyncGenerator<CreateProgress>;
}

const bad = (message: string) => new OllamaError(400, message);
const failed = (message: string) => new OllamaError(500, message);

const errFilePath = "file path must be relative";
const errInvalidDigest = "invalid digest format";
const errUnknownType = "unknown type";
const errOnlyGguf = "supplied file was not in GGUF format";
const errOneAdapter = "only one adapter is currently supported";
const errNeither = "neither 'from' or 'files' was specified";
const errInvalidName = "invalid model name";

/** A layer on its way into the new manifest, with the GGUF it holds (model-like layers only). */
export interface PendingLayer {
  layer: Layer;
  status: string;
  gguf?: GgufFile;
}

/** The wire form of a progress line (Go's ProgressResponse, omitempty fields dropped). */
export function progressJson(p: CreateProgress): Record<string, unknown> {
  return {
    status: p.status,
    ...(p.digest ? { digest: p.digest } : {}),
    ...(p.total ? { total: p.total } : {}),
    ...(p.completed ? { completed: p.completed } : {}),
  };
}

export async function* createModel(ctx: CreateContext, req: CreateRequest): AsyncGenerator<CreateProgress> {
  const { store } = ctx;
  const config: ConfigV2 = { os: "linux", architecture: "amd64" };
  if (req.renderer) config.renderer = req.renderer;
  if (req.parser) config.parser = req.parser;
  if (req.requires) config.requires = req.requires;

  // The checks CreateHandler makes before it starts streaming.
  for (const [file, digest] of Object.entries(req.files ?? {})) {
    if (!validFsPath(file)) throw bad(errFilePath);
    if (digest === "") throw bad(errInvalidDigest);
  }
  for (const [file, digest] of Object.entries(req.draftFiles ?? {})) {
    if (!validFsPath(file)) throw bad(errFilePath);
    if (digest === "") throw bad(errInvalidDigest);
  }
  if (req.draftQuantize !== "" && Object.keys(req.draftFiles ?? {}).length === 0) {
    throw bad("--draft-quantize requires a DRAFT model");
  }
  for (const digest of Object.values(req.adapters ?? {})) {
    if (digest === "") throw bad(errInvalidDigest);
  }
  const name = await resolveName(store, req.model || req.name);

  let base: PendingLayer[];
  if (req.from !== "") {
    if (req.remoteHost !== "" || /:cloud$/i.test(req.from))
      throw bad("remote models are not supported by this server");
    const fromName = await resolveName(store, req.from);
    let entry = await readBaseManifest(store, fromName);
    if (!entry && ctx.pull) {
      yield* ctx.pull(fromName);
      entry = await readBaseManifest(store, fromName);
    }
    if (!entry) throw new OllamaError(404, `model ${goJsonString(req.from)} not found, try pulling it first`);
    base = await layersFromModel(store, entry, fromName, config);
  } else if (req.files !== undefined) {
    base = yield* layersFromFiles(store, req.files, false);
  } else {
    throw bad(errNeither);
  }

  if (Object.keys(req.draftFiles ?? {}).length > 0)
    throw bad("draft models are not supported by this server");

  if (req.adapters !== undefined) base.push(...(yield* layersFromFiles(store, req.adapters, true, base)));

  const quantize = (req.quantize || req.quantization).toUpperCase();
  if (quantize !== "") {
    base = yield* quantizeLayers(store, base, quantize);
    // The base model's config may name the type it was quantized from.
    delete config.file_type;
  }

  if (req.info !== undefined) applyInfo(config, req.info);

  const layers = await assemble(store, req, base, config);
  for (const l of layers) if (l.status !== "") yield { status: l.status };

  yield { status: "writing manifest" };
  await store.writeModel(name, { config, layers: layers.map((l) => l.layer) }, { pruneReplaced: true });
  yield { status: "success" };
}

/** model.ParseName + IsValid + getExistingName, with create's one message for every bad name. */
async function resolveName(store: Store, raw: string): Promise<ModelName> {
  try {
    return await store.resolveName(raw);
  } catch (err) {
    if (err instanceof InvalidNameError) throw bad(errInvalidName);
    throw err;
  }
}

/** The base model's manifest; undefined when the store has no such model. */
async function readBaseManifest(store: Store, name: ModelName): Promise<ManifestEntry | undefined> {
  try {
    return await store.readManifest(name);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

/** parseFromModel: every layer of the base model, marked as coming from it. */
async function layersFromModel(
  store: Store,
  entry: ManifestEntry,
  fromName: ModelName,
  config: ConfigV2,
): Promise<PendingLayer[]> {
  const from = displayShortest(fromName);
  const out: PendingLayer[] = [];
  for (const src of entry.manifest.layers) {
    const digest = src.digest;
    if (digest === "") throw failed("creating new layer from layer with empty digest");
    const created = await adoptBlob(store, digest, src.mediaType, from);
    if (src.name) created.layer.name = src.name;
    const pending: PendingLayer = created;
    if (
      src.mediaType === MEDIA_TYPES.model ||
      src.mediaType === MEDIA_TYPES.projector ||
      src.mediaType === MEDIA_TYPES.adapter ||
      src.mediaType === MEDIA_TYPES.draft
    ) {
      pending.gguf = await readGguf(store.blobPath(digest), { maxArrayLength: 0 });
    }
    out.push(pending);
  }

  // What the new model inherits from the base model's config.
  const baseConfig = await readBaseConfig(store, entry.manifest.config.digest);
  if (baseConfig) {
    config.renderer ||= baseConfig.renderer;
    config.parser ||= baseConfig.parser;
    config.requires ||= baseConfig.requires;
    config.model_format ||= baseConfig.model_format;
    if (!config.capabilities?.length && baseConfig.capabilities)
      config.capabilities = [...baseConfig.capabilities];
  }
  return out;
}

async function readBaseConfig(store: Store, digest: string): Promise<ConfigV2 | undefined> {
  if (digest === "" || !isValidDigest(digest)) return undefined;
  try {
    return JSON.parse(await fs.readFile(store.blobPath(digest), "utf8")) as ConfigV2;
  } catch {
    return undefined;
  }
}

/** manifest.NewLayerFromLayer: an existing blob adopted as a layer, with Ollama's messages when it is not there. */
async function adoptBlob(store: Store, digest: string, mediaType: string, from: string) {
  return store.layerFromBlob(await storedBlob(store, digest), mediaType, from);
}

/** The stored blob a request's digest names ("sha256:<hex>"), with Ollama's messages when it is not there. */
async function storedBlob(store: Store, digest: string): Promise<string> {
  const d = normaliseDigest(digest);
  if (!DIGEST_PATTERN.test(digest)) throw failed(errInvalidDigest);
  if (!isValidDigest(d) || !(await store.hasBlob(d))) throw failed(missingFile(store, d));
  return d;
}

function missingFile(store: Store, digest: string): string {
  let file: string;
  try {
    file = store.blobPath(digest);
  } catch {
    file = `${store.blobsDir}/${digest.replace(":", "-")}`;
  }
  return `open ${file}: no such file or directory`;
}

/** detectModelTypeFromFiles: by extension, else by sniffing each blob until one is a GGUF. */
async function detectModelType(store: Store, files: Record<string, string>): Promise<string> {
  for (const [file, digest] of Object.entries(files)) {
    if (file.endsWith(".safetensors")) return "safetensors";
    if (file.endsWith(".gguf")) return "gguf";
    const d = normaliseDigest(digest);
    if (!DIGEST_PATTERN.test(digest) || !isValidDigest(d)) return "";
    let head: Buffer;
    try {
      const fh = await fs.open(store.blobPath(d), "r");
      try {
        head = Buffer.alloc(4);
        const { bytesRead } = await fh.read(head, 0, 4, 0);
        head = head.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch {
      return "";
    }
    if (detectContentType(head) === "gguf") return "gguf";
  }
  return "";
}

/** convertModelFromFiles for GGUF blobs: one layer per file, typed by its metadata. */
async function* layersFromFiles(
  store: Store,
  files: Record<string, string>,
  isAdapter: boolean,
  baseLayers: PendingLayer[] = [],
): AsyncGenerator<CreateProgress, PendingLayer[]> {
  const kind = await detectModelType(store, files);
  if (kind === "safetensors") return yield* convertedLayers(store, files, isAdapter ? baseLayers : undefined);
  if (kind !== "gguf") throw bad(errUnknownType);
  const paths = Object.keys(files).sort();
  if (paths.length === 0) throw bad("no files provided to convert");
  if (paths.length > 1 && isAdapter) throw bad(errOneAdapter);

  const layers: PendingLayer[] = [];
  for (const file of paths) {
    const digest = files[file] ?? "";
    yield { status: "parsing GGUF" };
    const d = await storedBlob(store, digest);
    const path = store.blobPath(d);
    const head = Buffer.alloc(4);
    const fh = await fs.open(path, "r");
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(head, 0, 4, 0));
    } finally {
      await fh.close();
    }
    if (detectContentType(head.subarray(0, bytesRead)) !== "gguf") throw bad(errOnlyGguf);
    let gguf: GgufFile;
    try {
      gguf = await readGguf(path, { maxArrayLength: 0 });
    } catch (err) {
      throw failed((err as Error).message);
    }
    const kindKey = gguf.metadata["general.type"];
    let mediaType: string = MEDIA_TYPES.model;
    if (kindKey === "adapter") mediaType = MEDIA_TYPES.adapter;
    else if (isProjector(gguf)) mediaType = MEDIA_TYPES.projector;
    const created = await store.layerFromBlob(d, mediaType, file);
    layers.push({ ...created, gguf });
  }
  if (!isAdapter) layers.push(...(await detectChatTemplate(store, layers)));
  return layers;
}

/**
 * A safetensors checkpoint converted to one GGUF model layer, with its chat template detected; or,
 * given the base model's layers, a LoRA adapter converted to one adapter layer.
 */
async function* convertedLayers(
  store: Store,
  files: Record<string, string>,
  baseLayers?: PendingLayer[],
): AsyncGenerator<CreateProgress, PendingLayer[]> {
  const base = baseLayers && baseModelOf(baseLayers);
  yield { status: base ? "converting adapter" : "converting model" };
  const checkpoint = new Map<string, string>();
  for (const [name, digest] of Object.entries(files))
    checkpoint.set(name, store.blobPath(await storedBlob(store, digest)));
  const blob = await convertToBlob(store, checkpoint, base);
  const mediaType = base ? MEDIA_TYPES.adapter : MEDIA_TYPES.model;
  const { layer } = await store.layerFromBlob(blob.digest, mediaType);
  const gguf = await readGguf(store.blobPath(blob.digest), { maxArrayLength: 0 });
  const status = `${blob.existed ? "using existing" : "creating new"} layer ${blob.digest}`;
  const layers: PendingLayer[] = [{ layer, status, gguf }];
  if (!base) layers.push(...(await detectChatTemplate(store, layers)));
  return layers;
}

/** kvFromLayers: what an adapter needs of the model layer it is created on. */
function baseModelOf(layers: PendingLayer[]): BaseModel {
  const model = layers.find((l) => l.gguf && l.layer.mediaType === MEDIA_TYPES.model)?.gguf;
  if (!model) throw failed("no base model was found");
  const architecture = model.metadata["general.architecture"];
  const arch = typeof architecture === "string" ? architecture : "";
  return {
    architecture: arch,
    headCount: uintOf(model, `${arch}.attention.head_count`),
    headCountKv: uintOf(model, `${arch}.attention.head_count_kv`),
  };
}

function uintOf(f: GgufFile, key: string): number {
  const v = f.metadata[key];
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0;
}

/** isProjectorGGUF: a projector or mmproj file, or a vision tower without a text model. */
function isProjector(f: GgufFile): boolean {
  const kind = f.metadata["general.type"];
  if (kind === "projector" || kind === "mmproj") return true;
  const arch =
    typeof f.metadata["general.architecture"] === "string" ? f.metadata["general.architecture"] : "";
  const blocks = uintOf(f, `${arch}.block_count`);
  if (blocks === 0 && uintOf(f, `${arch}.vision.block_count`) > 0) return true;
  const flag = (k: string) => f.metadata[`${arch}.${k}`] === true;
  return arch === "clip" && blocks === 0 && (flag("has_vision_encoder") || flag("has_audio_encoder"));
}

/** detectChatTemplate: a built-in template (and its stop words) for a recognised chat template. */
async function detectChatTemplate(store: Store, layers: PendingLayer[]): Promise<PendingLayer[]> {
  const out: PendingLayer[] = [];
  for (const l of layers) {
    const chat = l.gguf?.metadata["tokenizer.chat_template"];
    if (typeof chat !== "string" || chat === "") continue;
    const named = detectTemplate(chat);
    if (!named) continue;
    const t = await store.createLayer(named.template, MEDIA_TYPES.template);
    out.push({ layer: t.layer, status: `using autodetected template ${named.name}` });
    // Ollama keeps only the stop words of a built-in template's parameters.
    const stop = named.parameters.stop as string[];
    const p = await store.createLayer(`${marshalGoAny({ stop })}\n`, MEDIA_TYPES.params);
    out.push(p);
  }
  return out;
}

/** The `info` overrides of the config (not exposed by Modelfiles). */
function applyInfo(config: ConfigV2, info: Record<string, GoAny>): void {
  const caps = info.capabilities;
  if (Array.isArray(caps)) {
    config.capabilities = [
      ...(config.capabilities ?? []),
      ...caps.map((c) => (typeof c === "string" ? c : "")),
    ];
  }
  const str = (k: string): string => {
    const v = info[k];
    if (v === undefined) return "";
    if (typeof v !== "string") throw bad(`info field ${goJsonString(k)} must be a string`);
    return v;
  };
  const int = (k: string): number => {
    const v = info[k];
    if (v === undefined) return 0;
    if (typeof v !== "number") throw bad(`info field ${goJsonString(k)} must be a number`);
    if (v < 0 || !Number.isInteger(v) || v > Number.MAX_SAFE_INTEGER) {
      throw bad(`info field ${goJsonString(k)} must be a non-negative integer`);
    }
    return v;
  };
  config.model_family = str("model_family");
  if (config.model_family !== "") config.model_families = [config.model_family];
  config.base_name = str("base_name");
  config.file_type = str("quantization_level");
  config.model_type = str("parameter_size");
  config.context_length = int("context_length");
  config.embedding_length = int("embedding_length");
}

/** createModel: the config from the GGUF layers, then the template/system/license/params/messages layers. */
async function assemble(
  store: Store,
  req: CreateRequest,
  base: PendingLayer[],
  config: ConfigV2,
): Promise<PendingLayer[]> {
  let layers: PendingLayer[] = [];
  for (const l of base) {
    if (l.gguf && l.layer.mediaType === MEDIA_TYPES.model) {
      const facts = summarize(l.gguf);
      config.model_format ||= "gguf";
      config.model_family ||= facts.architecture;
      config.model_type ||= facts.parameterSize;
      config.file_type ||= facts.quantizationLevel;
      config.model_families = [...(config.model_families ?? []), facts.architecture];
    }
    layers.push(l);
  }

  const without = (mediaType: string) => layers.filter((l) => l.layer.mediaType !== mediaType);

  if (req.template !== "") {
    layers = without(MEDIA_TYPES.template);
    try {
      parseOllamaTemplate(req.template);
    } catch (err) {
      throw bad(`template error: ${(err as Error).message}`);
    }
    layers.push(await store.createLayer(req.template, MEDIA_TYPES.template));
  }

  if (req.system !== "") {
    layers = without(MEDIA_TYPES.system);
    layers.push(await store.createLayer(req.system, MEDIA_TYPES.system));
  }

  for (const text of licenses(req.license)) layers.push(await store.createLayer(text, MEDIA_TYPES.license));

  // Parameters: the request's win; keys only an inherited params layer has are kept.
  const params = new Map<string, GoAny>(Object.entries(req.parameters ?? {}));
  for (const l of layers) {
    if (l.layer.mediaType !== MEDIA_TYPES.params) continue;
    const existing = JSON.parse(await fs.readFile(store.blobPath(l.layer.digest), "utf8")) as Record<
      string,
      GoAny
    >;
    for (const [k, v] of Object.entries(existing)) if (!params.has(k)) params.set(k, v);
  }
  if (params.size > 0) {
    layers = without(MEDIA_TYPES.params);
    const json = marshalGoAny(Object.fromEntries(params));
    layers.push(await store.createLayer(`${json}\n`, MEDIA_TYPES.params));
  }

  // Messages replace the inherited ones only when some are given.
  if (req.messages && req.messages.length > 0) {
    layers = without(MEDIA_TYPES.messages);
    const json = `[${req.messages.map(marshalMessage).join(",")}]\n`;
    layers.push(await store.createLayer(json, MEDIA_TYPES.messages));
  }
  return layers;
}

/** A license string (empty: none) or a list of strings, each its own layer. */
function licenses(license: GoAny | undefined): string[] {
  if (license === undefined || license === null) return [];
  if (typeof license === "string") return license === "" ? [] : [license];
  if (Array.isArray(license)) {
    return license.map((v) => {
      if (typeof v === "string") return v;
      if (v === null) return "";
      throw failed(`json: cannot unmarshal ${goKind(v)} into Go value of type string`);
    });
  }
  throw failed(`json: cannot unmarshal ${goKind(license)} into Go value of type []string`);
}

function goKind(v: GoAny): string {
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  return "object";
}

/** json.Marshal of an api.Message. */
export function marshalMessage(m: Message): string {
  let out = `{"role":${goJsonString(m.role)},"content":${goJsonString(m.content)}`;
  if (m.thinking) out += `,"thinking":${goJsonString(m.thinking)}`;
  if (m.images && m.images.length > 0) {
    out += `,"images":[${m.images.map((b) => `"${Buffer.from(b).toString("base64")}"`).join(",")}]`;
  }
  if (m.toolCalls && m.toolCalls.length > 0) {
    const calls = m.toolCalls.map((tc) => {
      const id = tc.id ? `"id":${goJsonString(tc.id)},` : "";
      const fn = tc.function;
      return `{${id}"function":{"index":${fn.index},"name":${goJsonString(fn.name)},"arguments":${marshalToolArguments(fn.arguments)}}}`;
    });
    out += `,"tool_calls":[${calls.join(",")}]`;
  }
  if (m.toolName) out += `,"tool_name":${goJsonString(m.toolName)}`;
  if (m.toolCallId) out += `,"tool_call_id":${goJsonString(m.toolCallId)}`;
  return `${out}}`;
}
