/** Small pure checks /api/create makes on its `files` and `adapters` maps, in Go's terms. */

/** Go's io/fs.ValidPath: unrooted, slash-separated, no empty, "." or ".." elements ("." alone is fine). */
export function validFsPath(name: string): boolean {
  if (name === ".") return true;
  if (!isWellFormedUtf16(name)) return false;
  return name.split("/").every((elem) => elem !== "" && elem !== "." && elem !== "..");
}

function isWellFormedUtf16(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** manifest.BlobsPath's digest check. */
export const DIGEST_PATTERN = /^sha256[:-][0-9a-fA-F]{64}$/;

/** The store's spelling of a digest ("sha256:<hex>"), whichever separator the client used. */
export function normaliseDigest(digest: string): string {
  return digest.replace(/^sha256-/, "sha256:");
}

/** ggml.DetectContentType for the file types Ollama tells apart by their first four bytes. */
export function detectContentType(head: Uint8Array): string {
  if (head.length < 4) return "";
  const magic = Buffer.from(head.subarray(0, 4)).readUInt32LE(0);
  switch (magic) {
    case 0x46554747: // "GGUF" little-endian
    case 0x47475546: // big-endian
      return "gguf";
    case 0x67676d6c:
      return "ggml";
    case 0x67676d66:
      return "ggmf";
    case 0x67676a74:
      return "ggjt";
    case 0x67676c61:
      return "ggla";
    default:
      return "";
  }
}

/** ggml.ParseFileType: the quantization names `quantize` accepts. */
const QUANT_TYPES = new Set(["F32", "F16", "Q8_0", "Q4_K_S", "Q4_K_M", "Q4_K", "BF16"]);

export function checkQuantizeType(q: string): string | undefined {
  if (QUANT_TYPES.has(q)) return undefined;
  return `unsupported quantization type ${q} - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0`;
}

/** The file type a quantization name produces, as FileType.String() prints it. */
export function quantizeTarget(q: string): string {
  return q === "Q4_K" ? "Q4_K_M" : q;
}
