/**
 * Tensor encoding on worker threads. Quantizing to the k-quants is CPU-bound JavaScript (a few
 * million values a second per core), so `create --quantize` spreads a model's chunks over one
 * worker per core, and the server's main thread only reads and writes the file meanwhile.
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { encodeToBuffer, type WritableType } from "./quant.js";
import { isRawValues, rawCount, type RawValues } from "./raw-values.js";

interface Request {
  id: number;
  type: WritableType;
  src: Float32Array | RawValues;
}

type Reply = { id: number; out: Uint8Array } | { id: number; error: string };

export interface EncodePool {
  /**
   * `src` (or raw values' bytes) is handed over to a worker: the caller must not use it afterwards.
   * Raw values are decoded there.
   */
  encode(type: WritableType, src: Float32Array | RawValues): Promise<Buffer>;
  readonly size: number;
  close(): Promise<void>;
}

/**
 * A pool of `size` workers (default: one per core the process may use, at most 16: each is a V8
 * isolate of its own, and beyond that the single reading and writing thread is the limit).
 */
export function createEncodePool(size = Math.min(16, availableParallelism())): EncodePool {
  const workers = Array.from({ length: Math.max(1, size) }, () => new Worker(new URL(import.meta.url)));
  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  const load = workers.map(() => 0);
  let nextId = 0;
  for (const [i, w] of workers.entries()) {
    w.on("message", (reply: Reply) => {
      load[i]!--;
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if ("error" in reply) p?.reject(new Error(reply.error));
      else p?.resolve(Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength));
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
    encode(type, src) {
      const i = load.indexOf(Math.min(...load));
      load[i]!++;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const buffer = isRawValues(src) ? src.bytes.buffer : src.buffer;
        workers[i]!.postMessage({ id, type, src } satisfies Request, [buffer as ArrayBuffer]);
      });
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
  port.on("message", ({ id, type, src }: Request) => {
    try {
      if (isRawValues(src) && scratch.length < rawCount(src)) scratch = new Float32Array(rawCount(src));
      const out = encodeToBuffer(type, src, scratch);
      port.postMessage({ id, out } satisfies Reply, [out.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies Reply);
    }
  });
}
