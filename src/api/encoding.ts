/**
 * Compressed request bodies. Ollama decompresses zstd on /v1/responses (Codex sends it), up to
 * 20 MiB and with at most 8 MiB of decoder window; tollama takes zstd, gzip, deflate and br on
 * every route with the same output limit. Node 20's zlib has no zstd, so fzstd (pure JS) decodes
 * it, after each frame's header is checked here: fzstd allocates whatever window or content size a
 * frame declares, up to 2 GB, before reading a byte of it.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { Decompress } from "fzstd";
import { OllamaError } from "../core/errors.js";

/** Most bytes a compressed body may expand to (Ollama's maxDecompressedBodySize). */
export const MAX_DECOMPRESSED = 20 << 20;
/** Largest zstd window accepted (Ollama's WithDecoderMaxMemory). */
const MAX_WINDOW = 8 << 20;

/** The body as sent, decoded per Content-Encoding; unknown encodings are left as they are. */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined): Buffer {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  try {
    switch (encoding) {
      case "zstd":
        return zstd(raw);
      case "gzip":
      case "x-gzip":
        return gunzipSync(raw, { maxOutputLength: MAX_DECOMPRESSED });
      case "deflate":
        return inflateSync(raw, { maxOutputLength: MAX_DECOMPRESSED });
      case "br":
        return brotliDecompressSync(raw, { maxOutputLength: MAX_DECOMPRESSED });
      default:
        return raw;
    }
  } catch (err) {
    if (err instanceof OllamaError) throw err;
    if (err instanceof RangeError) throw tooLarge();
    throw new OllamaError(400, `failed to decompress ${encoding} body`);
  }
}

const tooLarge = () => new OllamaError(400, "http: request body too large");

function zstd(raw: Buffer): Buffer {
  checkFrames(raw);
  const out: Uint8Array[] = [];
  let size = 0;
  const decoder = new Decompress((chunk) => {
    size += chunk.length;
    if (size > MAX_DECOMPRESSED) throw tooLarge();
    out.push(chunk);
  });
  decoder.push(raw, true);
  return Buffer.concat(out);
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Walks every frame (RFC 8878: header, blocks, checksum; skippable frames) without decoding,
 * refusing dictionaries, windows over MAX_WINDOW and declared contents over MAX_DECOMPRESSED.
 */
function checkFrames(b: Buffer): void {
  const bad = () => new OllamaError(400, "failed to decompress zstd body");
  let at = 0;
  while (at < b.length) {
    if (at + 4 > b.length) throw bad();
    const magic = b.readUInt32LE(at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (at + 8 > b.length) throw bad();
      at += 8 + b.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC || at + 5 > b.length) throw bad();
    const fhd = b[at + 4] as number;
    at += 5;
    const single = (fhd & 0x20) !== 0;
    if ((fhd & 0x03) !== 0) throw bad(); // a dictionary this server cannot have
    let window = 0;
    if (!single) {
      const wd = b[at++] ?? 0;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const fcsBytes = [single ? 1 : 0, 2, 4, 8][fhd >> 6] as number;
    if (at + fcsBytes > b.length) throw bad();
    let content = 0;
    for (let i = 0; i < fcsBytes; i++) content += (b[at + i] as number) * 2 ** (8 * i);
    if (fcsBytes === 2) content += 256;
    at += fcsBytes;
    if (single) window = content;
    if (window > MAX_WINDOW && !(single && content <= MAX_DECOMPRESSED)) throw bad();
    if (content > MAX_DECOMPRESSED) throw tooLarge();
    at = skipBlocks(b, at, bad);
    if ((fhd & 0x04) !== 0) at += 4;
  }
  if (at > b.length) throw bad();
}

function skipBlocks(b: Buffer, at: number, bad: () => Error): number {
  for (;;) {
    if (at + 3 > b.length) throw bad();
    const header = b.readUIntLE(at, 3);
    at += 3;
    const type = (header >> 1) & 3;
    const size = header >> 3;
    if (type === 3) throw bad();
    at += type === 1 ? 1 : size;
    if (at > b.length) throw bad();
    if ((header & 1) !== 0) return at;
  }
}
