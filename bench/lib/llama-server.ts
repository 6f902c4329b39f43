/**
 * llama.cpp's own server as a reference: the same commit's decode speed with sampling and a
 * server loop around it (llama-bench only decodes), and its resident memory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort, nowMs, processMemory, stopChild, track, waitServing, type Mem } from "./common.js";
import { SAMPLING } from "./direct.js";

export interface LlamaServerOptions {
  threads: number;
  /** Total KV cells (-c), split over `parallel` slots (-np), as tollama's context is. */
  ctxCells: number;
  parallel: number;
  /** Offload every layer (-ngl 99) or none (-ngl 0). */
  gpu: boolean;
  /** -fa auto|on|off. */
  fa: string;
}

export interface ServerRun {
  /** Decode tok/s on the client, first token to the last event (as tollama's is timed). */
  decode: number;
  /** Server-side prompt tok/s (timings.prompt_per_second). */
  prompt: number;
}

export class LlamaServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** Undefined when `dir` has no llama-server or it does not come up within a minute. */
  static async start(dir: string, gguf: string, o: LlamaServerOptions): Promise<LlamaServer | undefined> {
    if (!existsSync(join(dir, "llama-server"))) return undefined;
    const port = await freePort();
    const args = [
      ...["-m", gguf, "-t", String(o.threads), "-c", String(o.ctxCells), "-np", String(o.parallel)],
      ...["-fa", o.fa, "-ngl", o.gpu ? "99" : "0", "--host", "127.0.0.1", "--port", String(port)],
    ];
    const child = spawn(join(dir, "llama-server"), args, { stdio: ["ignore", "ignore", "ignore"] });
    track(child);
    const server = new LlamaServer(child, `http://127.0.0.1:${port}`);
    if ((await waitServing(child, server.url, "/health", 60_000)) === "up") return server;
    await server.stop();
    return undefined;
  }

  get pid(): number {
    return this.child.pid!;
  }

  memory(): Mem | undefined {
    return processMemory(this.pid);
  }

  /**
   * One streamed completion with tollama's sampling settings and llama.cpp's extra samplers off.
   * Decode is timed as tollama's is, on the client from the first token to the last event (a
   * streaming client wakes once per token on both servers); prompt rate is the server's.
   */
  async complete(prompt: string, nPredict: number, seed: number): Promise<ServerRun> {
    const body = {
      prompt,
      n_predict: nPredict,
      seed,
      stream: true,
      temperature: SAMPLING.temperature,
      top_k: SAMPLING.topK,
      top_p: SAMPLING.topP,
      min_p: SAMPLING.minP,
      typical_p: 1,
      repeat_penalty: 1,
      dry_multiplier: 0,
      xtc_probability: 0,
      cache_prompt: false,
    };
    const r = await fetch(`${this.url}/completion`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!r.body) throw new Error(`llama-server answered ${r.status} without a body`);
    type Event = { stop?: boolean; timings?: { predicted_n?: number; prompt_per_second?: number } };
    let tFirst = NaN;
    let last: Event = {};
    let buffered = "";
    const decoder = new TextDecoder();
    for await (const chunk of r.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith("data: ")) continue;
        if (Number.isNaN(tFirst)) tFirst = nowMs();
        last = JSON.parse(line.slice(6)) as Event;
      }
    }
    const tDone = nowMs();
    const n = last.timings?.predicted_n ?? NaN;
    return {
      decode: ((n - 1) * 1000) / (tDone - tFirst),
      prompt: last.timings?.prompt_per_second ?? NaN,
    };
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
