// `create`: parse the Modelfile, hash and upload local files as blobs, then POST /api/create
// with their digests and show the server's progress, as Ollama's CreateHandler does.
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import {
  collectCreateFields,
  decodeModelfile,
  parseModelfile,
  type CreateFields,
} from "../../modelfile/index.js";
import { println, type Ctx } from "../context.js";
import { fileDigestMap, expandPath, requestFileNames } from "../files.js";
import { isValidModelName } from "../name.js";
import { Bar, Progress, Spinner } from "../progress.js";
import { CREATE_STYLE, showProgress } from "./transfer.js";

export interface CreateFlags {
  file?: string;
  quantize?: string;
}

export const ERR_MODELFILE_NOT_FOUND = "specified Modelfile wasn't found";

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === "ENOENT";

/** The Modelfile's text and folder; with no -f and no ./Modelfile, the current folder is the model. */
export async function readModelfile(
  file: string | undefined,
  cwd: string,
): Promise<{ text: string; dir: string }> {
  const abs = path.resolve(cwd, file ?? "Modelfile");
  try {
    return { text: decodeModelfile(await fs.readFile(abs)), dir: path.dirname(abs) };
  } catch (err) {
    if (!isMissing(err)) throw err;
    if (file !== undefined) throw new Error(ERR_MODELFILE_NOT_FOUND);
    return { text: "FROM .\n", dir: cwd };
  }
}

export interface ResolvedFiles {
  from?: string;
  files: Map<string, string>;
  adapters: Map<string, string>;
  drafts: Map<string, string>;
}

/** Splits FROM into a model name or local files, and hashes adapters and drafts. */
export async function resolveFiles(fields: CreateFields, dir: string): Promise<ResolvedFiles> {
  const out: ResolvedFiles = { files: new Map(), adapters: new Map(), drafts: new Map() };
  for (const arg of fields.from) {
    try {
      for (const [k, v] of await fileDigestMap(await expandPath(arg, dir))) out.files.set(k, v);
    } catch (err) {
      if (!isMissing(err)) throw err;
      out.from = arg;
    }
  }
  for (const arg of fields.adapters) {
    out.adapters = await fileDigestMap(await expandPath(arg, dir)).catch(statError);
  }
  for (const arg of fields.drafts) {
    const p = await expandPath(arg, dir);
    if (out.files.has(p)) throw new Error(`DRAFT must not reference the same local path as FROM: ${p}`);
    for (const [k, v] of await fileDigestMap(p).catch(statError)) out.drafts.set(k, v);
  }
  return out;
}

// Words a missing file like Go's os.Stat does.
function statError(err: NodeJS.ErrnoException): never {
  if (err.code === "ENOENT" && err.path) throw new Error(`stat ${err.path}: no such file or directory`);
  throw err;
}

async function uploadBlob(file: string, digest: string, progress: Progress, ctx: Ctx): Promise<void> {
  if (await ctx.client.hasBlob(digest)) return;
  const { size } = await fs.stat(file);
  const bar = new Bar(`copying file ${digest.slice(0, 19)}`, size, 0, ctx.now);
  progress.add(bar);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      progress.update(bar, sent);
      done(null, chunk);
    },
  });
  await ctx.client.uploadBlob(digest, createReadStream(file).pipe(counter), size);
}

/** Uploads each file and returns { name in the request: digest }. */
async function uploadAll(
  files: Map<string, string>,
  progress: Progress,
  ctx: Ctx,
): Promise<Record<string, string>> {
  const names = requestFileNames([...files.keys()]);
  const out: Record<string, string> = {};
  for (const [file, digest] of files) {
    await uploadBlob(file, digest, progress, ctx);
    out[names.get(file) ?? path.basename(file)] = digest;
  }
  return out;
}

export function createRequestBody(
  model: string,
  fields: CreateFields,
  resolved: ResolvedFiles,
  uploaded: {
    files: Record<string, string>;
    adapters: Record<string, string>;
    drafts: Record<string, string>;
  },
  quantize?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { model };
  const nonEmpty = (r: Record<string, string>): boolean => Object.keys(r).length > 0;
  if (resolved.from !== undefined) body.from = resolved.from;
  if (nonEmpty(uploaded.files)) body.files = uploaded.files;
  if (nonEmpty(uploaded.adapters)) body.adapters = uploaded.adapters;
  if (nonEmpty(uploaded.drafts)) body.draft_files = uploaded.drafts;
  if (quantize) body.quantize = quantize;
  for (const key of [
    "template",
    "system",
    "license",
    "parameters",
    "messages",
    "renderer",
    "parser",
    "requires",
  ] as const) {
    if (fields[key] !== undefined && fields[key] !== "") body[key] = fields[key];
  }
  return body;
}

export async function create(
  model: string,
  flags: CreateFlags,
  ctx: Ctx,
  cwd = process.cwd(),
): Promise<void> {
  if (!isValidModelName(model)) throw new Error(`invalid model name: ${model}`);
  const { text, dir } = await readModelfile(flags.file, cwd);
  const modelfile = parseModelfile(text);

  const progress = new Progress(ctx.io.stderr);
  try {
    const gathering = new Spinner("gathering model components");
    progress.add(gathering);
    const fields = collectCreateFields(modelfile, (msg) => println(ctx.io.stdout, msg));
    const resolved = await resolveFiles(fields, dir);
    gathering.stop();

    const uploaded = {
      files: await uploadAll(resolved.files, progress, ctx),
      adapters: await uploadAll(resolved.adapters, progress, ctx),
      drafts: await uploadAll(resolved.drafts, progress, ctx),
    };
    const body = createRequestBody(model, fields, resolved, uploaded, flags.quantize);
    await showProgress(ctx.client.create(body), progress, CREATE_STYLE, ctx.now);
  } catch (err) {
    if (err instanceof Error && err.message.includes("path or Modelfile are required")) {
      throw new Error("the tollama server must be updated to use `tollama create` with this client");
    }
    throw err;
  } finally {
    progress.stop();
  }
}
