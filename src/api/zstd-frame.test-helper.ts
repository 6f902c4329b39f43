/** Hand-built Zstandard frames for tests (Node 20 cannot compress zstd): raw and RLE blocks only. */
export type Block = { raw: Buffer } | { rle: string; count: number };

/** One frame; with `declareSize`, single-segment with its content size, else an 8 MiB window. */
export function zstdFrame(blocks: Block[], declareSize = true): Buffer {
  const size = blocks.reduce((n, b) => n + ("raw" in b ? b.raw.length : b.count), 0);
  const header = declareSize
    ? Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, ...u32(size)]) // single segment, 4-byte size
    : Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 13 << 3]); // window 2^23
  const parts: Buffer[] = [header];
  blocks.forEach((b, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const [type, n, payload] = "raw" in b ? [0, b.raw.length, b.raw] : [1, b.count, Buffer.from(b.rle)];
    const h = last | (type << 1) | (n << 3);
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), payload);
  });
  return Buffer.concat(parts);
}

function u32(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}
