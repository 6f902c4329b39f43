/**
 * The quantize step of create (Ollama's quantizeLayer): the model layer's GGUF rewritten in the
 * type asked for (src/gguf/requantize.ts), with Ollama's progress lines, then stored as a new blob.
 */
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { MEDIA_TYPES, type Layer, type Store } from "../../store/index.js";
import { readGguf, requantize, summarize, type QuantFileType } from "../../gguf/index.js";
import { OllamaError } from "../errors.js";
import { checkQuantizeType, quantizeTarget } from "./files.js";
import type { CreateProgress, PendingLayer } from "../create.js";

const failed = (message: string) => new OllamaError(500, message);

/** Every model layer in the type `quantize` names (already upper-cased), checked as Ollama checks. */
export async function* quantizeLayers(
  store: Store,
  layers: PendingLayer[],
  quantize: string,
): AsyncGenerator<CreateProgress, PendingLayer[]> {
  const out: PendingLayer[] = [];
  for (const l of layers) {
    if (!l.gguf || l.layer.mediaType !== MEDIA_TYPES.model) {
      out.push(l);
      continue;
    }
    const problem = checkQuantizeType(quantize);
    if (problem) throw failed(problem);
    const from = summarize(l.gguf).quantizationLevel;
    if (!["F16", "BF16", "F32"].includes(from))
      throw failed("quantization is only supported for F16, BF16 and F32 models");
    const target = quantizeTarget(quantize);
    if (from === target) out.push(l);
    else out.push(yield* quantizeLayer(store, l.layer, from, target as QuantFileType, quantize));
  }
  return out;
}

/** Ollama's placeholder digest on quantize progress lines. */
const PROGRESS_DIGEST = "0000000000000000000";

/** `name` is the type as asked for ("Q4_K"), which Ollama's status line repeats. */
async function* quantizeLayer(
  store: Store,
  layer: Layer,
  from: string,
  target: QuantFileType,
  name: string,
): AsyncGenerator<CreateProgress, PendingLayer> {
  const source = store.blobPath(layer.digest);
  const temp = join(store.blobsDir, `quantize-${randomBytes(6).toString("hex")}`);
  try {
    let done = 0;
    let failure: unknown;
    let finished = false;
    // As a share of the layer's size, as Ollama reports it (the header is not counted in `done`).
    const run = requantize(source, temp, target, (n, total) => (done = (n / total) * layer.size)).then(
      () => (finished = true),
      (err: unknown) => {
        failure = err;
        finished = true;
      },
    );
    const status = `quantizing ${from} model to ${name}`;
    let reported = -1;
    while (!finished) {
      await Promise.race([run, new Promise((r) => setTimeout(r, 250))]);
      const completed = Math.min(layer.size, Math.round(done));
      if (completed !== reported) {
        reported = completed;
        yield { status, digest: PROGRESS_DIGEST, total: layer.size, completed };
      }
    }
    if (failure !== undefined) throw failed(`quantize: ${(failure as Error).message}`);
    if (reported !== layer.size)
      yield { status, digest: PROGRESS_DIGEST, total: layer.size, completed: layer.size };
    yield { status: "verifying conversion" };
    const info = await store.writeBlob(createReadStream(temp));
    const gguf = await readGguf(store.blobPath(info.digest), { maxArrayLength: 0 });
    return {
      layer: { mediaType: layer.mediaType, digest: info.digest, size: info.size },
      status: `${info.existed ? "using existing" : "creating new"} layer ${info.digest}`,
      gguf,
    };
  } finally {
    await rm(temp, { force: true });
  }
}
