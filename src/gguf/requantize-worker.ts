/**
 * Runs `requantize` on a worker thread: quantizing is CPU-bound JavaScript (seconds per hundred
 * million values), so on the server's main thread it would stall every other request meanwhile.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { requantize } from "./requantize.js";
import type { QuantFileType } from "./quant-plan.js";

interface Job {
  inPath: string;
  outPath: string;
  fileType: QuantFileType;
}

type Message = { progress: [number, number] } | { error: string } | { done: true };

/** `requantize` off the main thread, with the same arguments and progress callback. */
export function requantizeInWorker(
  inPath: string,
  outPath: string,
  fileType: QuantFileType,
  onProgress: (doneBytes: number, totalBytes: number) => void = () => {},
): Promise<void> {
  const job: Job = { inPath, outPath, fileType };
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on("message", (m: Message) => {
      if ("progress" in m) onProgress(...m.progress);
      else if ("error" in m) {
        settled = true;
        reject(new Error(m.error));
      } else {
        settled = true;
        resolve();
      }
    });
    worker.on("error", (err) => {
      settled = true;
      reject(err);
    });
    worker.on("exit", (code) => {
      if (!settled) reject(new Error(`quantize worker exited with code ${code}`));
    });
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { inPath, outPath, fileType } = workerData as Job;
  let last = 0;
  requantize(inPath, outPath, fileType, (done, total) => {
    // a message per chunk would be thousands for a large model; a few a second are enough
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    port.postMessage({ progress: [done, total] } satisfies Message);
  }).then(
    () => port.postMessage({ done: true } satisfies Message),
    (err: unknown) =>
      port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies Message),
  );
}
