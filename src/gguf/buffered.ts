// Sequential little-endian reads from a file handle through one reusable buffer: GGUF headers are
// thousands of small fields, and multi-GB model files must never be read whole.

import type { FileHandle } from "node:fs/promises";

const DEFAULT_CHUNK = 1 << 20;

export class BufferedReader {
  private buf: Buffer;
  private start = 0; // file position of buf[0]
  private end = 0; // bytes of buf that hold file data
  private pos = 0; // read position within buf

  constructor(
    private readonly fh: FileHandle,
    readonly fileSize: number,
    chunk = DEFAULT_CHUNK,
  ) {
    this.buf = Buffer.allocUnsafe(chunk);
  }

  /** Absolute file offset of the next byte to be read. */
  get offset(): number {
    return this.start + this.pos;
  }

  /** Bytes readable without another file read. */
  get buffered(): number {
    return this.end - this.pos;
  }

  /** Makes at least `n` bytes available at `pos`, or throws at end of file. */
  async need(n: number): Promise<void> {
    if (this.end - this.pos >= n) return;
    const abs = this.offset;
    if (abs + n > this.fileSize)
      throw new Error(`unexpected end of GGUF file at offset ${abs} (need ${n} bytes)`);
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    const want = Math.min(this.buf.length, this.fileSize - abs);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(this.buf, got, want - got, abs + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.start = abs;
    this.pos = 0;
    this.end = got;
    if (got < n) throw new Error(`unexpected end of GGUF file at offset ${abs}`);
  }

  /** Skips `n` bytes; bytes beyond the buffer are never read. */
  skip(n: number): void {
    if (this.offset + n > this.fileSize)
      throw new Error(`unexpected end of GGUF file at offset ${this.offset}`);
    if (this.end - this.pos >= n) {
      this.pos += n;
      return;
    }
    const abs = this.offset + n;
    this.start = abs;
    this.pos = 0;
    this.end = 0;
  }

  async u8(): Promise<number> {
    await this.need(1);
    return this.buf[this.pos++] ?? 0;
  }
  async i8(): Promise<number> {
    await this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  async u16(): Promise<number> {
    await this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  async i16(): Promise<number> {
    await this.need(2);
    const v = this.buf.readInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  async u32(): Promise<number> {
    await this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  async i32(): Promise<number> {
    await this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  async f32(): Promise<number> {
    await this.need(4);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }
  async f64(): Promise<number> {
    await this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  async u64(): Promise<bigint> {
    await this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  async i64(): Promise<bigint> {
    await this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A u64 that must fit in a JS number (lengths, counts, offsets). */
  async size(what: string): Promise<number> {
    const v = await this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF ${what} ${v} is too large`);
    return Number(v);
  }

  async bytes(n: number): Promise<Buffer> {
    await this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /**
   * Reads `count` GGUF strings in a tight loop (token lists hold ~150k of them), awaiting only
   * when the buffer runs dry. With `keep` false, the strings are skipped without decoding.
   */
  async strings(count: number, keep: boolean): Promise<string[] | undefined> {
    const out = keep ? new Array<string>(count) : undefined;
    for (let i = 0; i < count; i++) {
      if (this.end - this.pos < 8) await this.need(8);
      const len = Number(this.buf.readBigUInt64LE(this.pos));
      this.pos += 8;
      if (!Number.isSafeInteger(len)) throw new Error(`GGUF string length ${len} is too large`);
      if (out) {
        if (this.end - this.pos < len) await this.need(len);
        out[i] = this.buf.toString("utf8", this.pos, this.pos + len);
        this.pos += len;
      } else if (this.end - this.pos >= len) {
        this.pos += len;
      } else {
        this.skip(len);
      }
    }
    return out;
  }

  /** Reads `count` fixed-size values with `read(buf, offset)`, refilling the buffer in big steps. */
  async fixed<T>(count: number, size: number, read: (buf: Buffer, offset: number) => T): Promise<T[]> {
    const out = new Array<T>(count);
    const perFill = Math.max(1, Math.floor(this.buf.length / size));
    for (let i = 0; i < count;) {
      const n = Math.min(count - i, perFill);
      if (this.end - this.pos < n * size) await this.need(n * size);
      for (let k = 0; k < n; k++, i++) {
        out[i] = read(this.buf, this.pos);
        this.pos += size;
      }
    }
    return out;
  }

  async utf8(n: number): Promise<string> {
    return (await this.bytes(n)).toString("utf8");
  }
}
