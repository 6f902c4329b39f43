/**
 * Tensor encoding on worker threads. Quantizing to the k-quants is CPU-bound JavaScript (a few
 * million values a second per core), so `create --quantize` spreads a model's chunks over one
 * worker per core, and the server's main thread only reads and writes the file meanwhile.
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { encodeToBuffer, type WritableType } from "./quant.js";
import type { ChunkEncoder } from "./writer.js";
import { isRawValues, rawCount, type RawValues } from "./raw-values.js";

interface Request {
  id: number;
  type: WritableType;
  src: Float32Array | RawValues;
  /** Memory of an earlier chunk's output, to encode into when it is large enough. */
  space?: ArrayBuffer | undefined;
}

/** The encoded chunk, and the source chunk's memory handed back for the next read. */
type Reply = { id: number; out: Uint8Array; spent: ArrayBuffer } | { id: number; error: string };

/** The pool is writeGguf's encoder as it stands (`encoder: pool`). */
export interface EncodePool extends ChunkEncoder {
  /**
   * `src` (or raw values' bytes) is handed over to a worker: the caller must not use it afterwards.
   * Raw values are decoded there.
   */
  encode(type: WritableType, src: Float32Array | RawValues): Promise<Buffer>;
  /**
   * Room for a chunk of `bytes` to read into: the memory of a chunk a worker is done with, or new.
   * Reusing it keeps the reading thread from allocating (and collecting) a chunk's worth each time.
   */
  buffer(bytes: number): Uint8Array;
  /** An encoded chunk that has been written: its memory becomes a later chunk's output. */
  release(encoded: Buffer): void;
  readonly size: number;
  /**
   * Four chunks a worker: a big k-quant matrix spreads over every worker, and the writer takes
   * chunks back in whatever order they finish.
   */
  readonly inFlight: number;
  close(): Promise<void>;
}

/**
 * Memory blocks to reuse, the largest `limit` kept: a chunk needs a block of at least its size,
 * and the small chunks of norms and biases must not crowd out the big ones.
 */
class Spares {
  private readonly blocks: ArrayBuffer[] = [];
  constructor(private readonly limit: number) {}

  put(block: ArrayBuffer): void {
    if (this.blocks.length < this.limit) {
      this.blocks.push(block);
      return;
    }
    let smallest = 0;
    for (let i = 1; i < this.blocks.length; i++)
      if (this.blocks[i]!.byteLength < this.blocks[smallest]!.byteLength) smallest = i;
    if (block.byteLength > this.blocks[smallest]!.byteLength) this.blocks[smallest] = block;
  }

  /** A block of at least `bytes`, taken out; undefined when none is. */
  take(bytes: number): ArrayBuffer | undefined {
    const i = this.blocks.findIndex((b) => b.byteLength >= bytes);
    return i < 0 ? undefined : this.blocks.splice(i, 1)[0];
  }

  /** The largest block, for a worker to encode into if it is large enough. */
  largest(): ArrayBuffer | undefined {
    if (this.blocks.length === 0) return undefined;
    let largest = 0;
    for (let i = 1; i < this.blocks.length; i++)
      if (this.blocks[i]!.byteLength > this.blocks[largest]!.byteLength) largest = i;
    return this.blocks.splice(largest, 1)[0];
  }
}

/**
 * A pool of `size` workers (default: one per core the process may use, at most 16: each is a V8
 * isolate of its own, and beyond that the single reading and writing thread is the limit).
 */
export function createEncodePool(size = Math.min(16, availableParallelism())): EncodePool {
  const workers = Array.from({ length: Math.max(1, size) }, () => new Worker(new URL(import.meta.url)));
  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  const load = workers.map(() => 0);
  // enough for every chunk in flight (the writer keeps four per worker) and a few besides
  const inputs = new Spares(workers.length * 8);
  const outputs = new Spares(workers.length * 8);
  let nextId = 0;
  for (const [i, w] of workers.entries()) {
    w.on("message", (reply: Reply) => {
      load[i]!--;
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if ("error" in reply) p?.reject(new Error(reply.error));
      else {
        inputs.put(reply.spent);
        p?.resolve(Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength));
      }
    });
    const failAll = (err: Error) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    w.on("error", failAll);
    // a worker that dies without an error event (killed, out of memory) must not leave chunks waiting
    w.on("exit", (code) => failAll(new Error(`encode worker exited with code ${code}`)));
  }
  return {
    size: workers.length,
    inFlight: workers.length * 4,
    encode(type, src) {
      const i = load.indexOf(Math.min(...load));
      load[i]!++;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const buffer = (isRawValues(src) ? src.bytes.buffer : src.buffer) as ArrayBuffer;
        const space = outputs.largest();
        const transfer = space ? [buffer, space] : [buffer];
        workers[i]!.postMessage({ id, type, src, space } satisfies Request, transfer);
      });
    },
    buffer(bytes) {
      const block = inputs.take(bytes);
      return block ? new Uint8Array(block, 0, bytes) : new Uint8Array(bytes);
    },
    release(encoded) {
      outputs.put(encoded.buffer as ArrayBuffer);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  // raw chunks are decoded into this one array, grown as needed
  let scratch = new Float32Array(0);
  port.on("message", ({ id, type, src, space }: Request) => {
    const spent = (isRawValues(src) ? src.bytes.buffer : src.buffer) as ArrayBuffer;
    try {
      if (isRawValues(src) && scratch.length < rawCount(src)) scratch = new Float32Array(rawCount(src));
      const out = encodeToBuffer(type, src, scratch, space);
      port.postMessage({ id, out, spent } satisfies Reply, [out.buffer as ArrayBuffer, spent]);
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies Reply);
    }
  });
}
