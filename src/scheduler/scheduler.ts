/**
 * Runners (loaded models) and their sequences. A request leases one sequence of its model's
 * runner; requests beyond the free sequences wait in FIFO order. Idle runners unload when their
 * keep_alive expires, or when another model needs their place.
 */
import type { Engine, EngineSequence, LoadedModel, LoadOptions, ModelFacts } from "../engine/types.js";
import { errors } from "../core/errors.js";
import type { Clock } from "./clock.js";

export type KeepAlive = number | "forever";

/** What identifies a model to load: its store identity plus everything fixed at load time. */
export interface RunnerSpec {
  /** Display name for /api/ps, e.g. "llama3:latest". */
  name: string;
  /** Manifest digest (hex), for /api/ps. */
  digest: string;
  /** Free-form model details for /api/ps. */
  details: Record<string, unknown>;
  load: LoadOptions;
}

/**
 * A model held for one request: it stays loaded until release(). The request then takes one of
 * its sequences, waiting in FIFO order when all are busy.
 */
export interface Lease {
  model: LoadedModel;
  /** How long getting the model ready took, in ms (short when it was already loaded). */
  loadMs: number;
  /** A free sequence, preferring the one that caches the longest prefix of `tokens`. */
  sequence(tokens: readonly number[], signal?: AbortSignal): Promise<EngineSequence>;
  release(): void;
}

export interface RunnerInfo {
  spec: RunnerSpec;
  model: LoadedModel;
  /** Epoch ms when it unloads; undefined while busy or kept forever. */
  expiresAt: number | undefined;
  keepAlive: KeepAlive;
  active: number;
}

export interface SchedulerOptions {
  engine: Engine;
  clock: Clock;
  /**
   * Requests allowed to wait for a model to load, over all models, beyond the one being served
   * (Ollama's pending queue). Requests for a loaded model wait for a sequence without a limit.
   */
  maxQueue: number;
  /** Most models loaded at once; 0: Ollama's default, three (per GPU; tollama drives one). */
  maxLoadedModels: number;
  /** keep_alive when the request gives none. */
  defaultKeepAlive: KeepAlive;
  /** Told of every model loaded, with the options it loaded with and what it became. Default: nothing. */
  onLoaded?: ((spec: RunnerSpec, load: LoadOptions, ms: number, facts: ModelFacts) => void) | undefined;
}

interface Waiter {
  tokens: readonly number[];
  resolve(seq: EngineSequence): void;
  reject(err: Error): void;
}

interface Runner {
  key: string;
  spec: RunnerSpec;
  loading: Promise<LoadedModel>;
  model?: LoadedModel;
  active: number;
  waiters: Waiter[];
  keepAlive: KeepAlive;
  timer?: unknown;
  expiresAt?: number | undefined;
  /** Set when the runner must unload as soon as it is idle (options changed, keep_alive 0). */
  draining: boolean;
}

export interface Scheduler {
  acquire(spec: RunnerSpec, keepAlive: KeepAlive | undefined): Promise<Lease>;
  /** keep_alive 0 on an empty request: unload once idle. */
  expire(modelPath: string): Promise<void>;
  running(): RunnerInfo[];
  shutdown(): Promise<void>;
}

/** Whether `need` fits in `share` of the free memory; on CPU-only machines everything is RAM. */
function fitsIn(
  need: { ram: number; vram: number },
  mem: Awaited<ReturnType<Engine["memory"]>>,
  share = 1,
): boolean {
  return mem.gpu === false
    ? need.ram + need.vram <= mem.ramFree * share
    : need.ram <= mem.ramFree * share && need.vram <= mem.vramFree * share;
}

/** The RAM `need` takes once whatever does not fit in free VRAM stays on the CPU (a partial offload). */
function ramWithSpill(
  need: { ram: number; vram: number },
  mem: Awaited<ReturnType<Engine["memory"]>>,
): number {
  return need.ram + (mem.gpu === false ? need.vram : Math.max(0, need.vram - mem.vramFree));
}

/** Ollama's default for OLLAMA_MAX_LOADED_MODELS unset: three models per GPU, three without one. */
const DEFAULT_LOADED_MODELS = 3;

/**
 * Ollama's order for unloading (sched.go ByDurationAndName): the shortest keep_alive first, so a
 * model kept forever goes last; then by model path.
 */
function unloadOrder(a: Runner, b: Runner): number {
  const ka = a.keepAlive === "forever" ? Infinity : a.keepAlive;
  const kb = b.keepAlive === "forever" ? Infinity : b.keepAlive;
  if (ka !== kb) return ka < kb ? -1 : 1;
  const pa = a.spec.load.path;
  const pb = b.spec.load.path;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

const idle = (r: Runner) => r.active === 0 && r.waiters.length === 0;

export function runnerKey(load: LoadOptions): string {
  return JSON.stringify([
    load.path,
    load.contextSize,
    load.sequences,
    load.batchSize,
    load.threads,
    load.gpuLayers,
    load.useMmap ?? null,
    load.flashAttention,
    load.kvCacheType,
    load.adapters,
    load.embedding ?? false,
  ]);
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const runners = new Map<string, Runner>();
  /** Requests waiting for a model to load (the first of them is the one being served). */
  let awaitingLoad = 0;

  function startTimer(r: Runner) {
    stopTimer(r);
    if (r.active > 0) return;
    notifyIdle();
    if (r.draining || r.keepAlive === 0) {
      void unload(r);
      return;
    }
    if (r.keepAlive === "forever") return;
    r.expiresAt = opts.clock.now() + r.keepAlive;
    r.timer = opts.clock.setTimer(() => void unload(r), r.keepAlive);
  }

  /**
   * A busy runner keeps the expiry it had when last idle, as /api/ps shows it in Ollama (whose
   * scheduler sets it only when a runner goes idle); one never idle yet has none.
   */
  function stopTimer(r: Runner) {
    if (r.timer !== undefined) opts.clock.clearTimer(r.timer);
    r.timer = undefined;
  }

  async function unload(r: Runner) {
    if (runners.get(r.key) !== r || r.active > 0) return;
    runners.delete(r.key);
    stopTimer(r);
    try {
      const m = await r.loading;
      await m.dispose();
    } catch {
      // a failed load has nothing to free
    }
  }

  /** Resolvers of loads waiting for a busy runner to go idle so it can be evicted. */
  let idleWaiters: Array<() => void> = [];
  function notifyIdle() {
    const waiting = idleWaiters;
    idleWaiters = [];
    for (const w of waiting) w();
  }

  /**
   * Evicts idle runners, in Ollama's unload order, until the new model fits in free memory. When
   * only busy runners are left it waits for one to go idle; with none at all the model cannot fit.
   */
  async function fitMemory(forKey: string, load: LoadOptions) {
    let need: { ram: number; vram: number };
    try {
      need = await opts.engine.estimate(load);
    } catch {
      return; // an unreadable estimate must not block a load that may well fit
    }
    for (;;) {
      const mem = await opts.engine.memory();
      if (fitsIn(need, mem)) return;
      const others = [...runners.values()].filter((r) => r.key !== forKey);
      const victim = others.filter(idle).sort(unloadOrder)[0];
      if (victim) {
        await unload(victim);
        continue;
      }
      if (others.length === 0) {
        // Alone and still short of VRAM, the layers that do not fit stay on the CPU, as in Ollama.
        const ram = ramWithSpill(need, mem);
        if (ram <= mem.ramFree) return;
        throw errors.insufficientMemory(ram, mem.ramFree);
      }
      await new Promise<void>((resolve) => idleWaiters.push(resolve));
    }
  }

  /**
   * `sequences: 0` (OLLAMA_NUM_PARALLEL unset) takes the most of 8, 4, 2, 1 parallel sequences
   * whose KV cache fits with the model in three quarters of the memory free now. Every sequence
   * holds num_ctx tokens of cache, so 8 costs a small model a few hundred MB and a 70B model far
   * too much; and on two cores, decoding 8 sequences in one batch gives about 2.5x the tokens per
   * second of one, where 4 gives about 1.8x: the weights are read once per step for all of them.
   */
  async function chooseSequences(load: LoadOptions): Promise<LoadOptions> {
    if (load.sequences > 0) return load;
    const mem = await opts.engine.memory();
    for (const sequences of [8, 4, 2]) {
      const candidate = { ...load, sequences };
      try {
        const need = await opts.engine.estimate(candidate);
        if (fitsIn(need, mem, 0.75)) return candidate;
      } catch {
        return { ...load, sequences: 4 }; // no estimate: the middle of the range
      }
    }
    return { ...load, sequences: 1 };
  }

  async function makeRoom(forKey: string) {
    const limit = opts.maxLoadedModels > 0 ? opts.maxLoadedModels : DEFAULT_LOADED_MODELS;
    const others = [...runners.values()].filter((r) => r.key !== forKey);
    while (others.length >= limit) {
      const victim = others.filter(idle).sort(unloadOrder)[0];
      if (victim) {
        others.splice(others.indexOf(victim), 1);
        await unload(victim);
      } else {
        // Every other model is busy: wait, as Ollama does, for one to finish.
        await new Promise<void>((resolve) => idleWaiters.push(resolve));
        others.splice(0, others.length, ...[...runners.values()].filter((r) => r.key !== forKey));
      }
    }
  }

  async function getRunner(
    spec: RunnerSpec,
    keepAlive: KeepAlive | undefined,
  ): Promise<{ runner: Runner; loadMs: number }> {
    const key = runnerKey(spec.load);
    // The same model with other load options: the old runner drains and unloads.
    for (const r of runners.values()) {
      if (r.spec.load.path === spec.load.path && r.key !== key) {
        r.draining = true;
        if (r.active === 0) await unload(r);
      }
    }
    let r = runners.get(key);
    const started = opts.clock.now();
    if (!r || r.draining) {
      // Registered before any await, so concurrent requests for the model share this one load.
      const fresh: Runner = {
        key,
        spec,
        loading: (async () => {
          await makeRoom(key);
          const load = await chooseSequences(spec.load);
          await fitMemory(key, load);
          const t0 = opts.clock.now();
          const model = await opts.engine.loadModel(load);
          opts.onLoaded?.(spec, load, opts.clock.now() - t0, model.facts);
          return model;
        })(),
        active: 0,
        waiters: [],
        keepAlive: keepAlive ?? opts.defaultKeepAlive,
        draining: false,
      };
      runners.set(key, fresh);
      fresh.loading.then(
        (m) => (fresh.model = m),
        () => runners.get(key) === fresh && runners.delete(key),
      );
      r = fresh;
    }
    if (keepAlive !== undefined) r.keepAlive = keepAlive;
    // Counted as in use from here, so no other load evicts this runner while it loads.
    r.active++;
    stopTimer(r);
    try {
      await r.loading;
    } catch (err) {
      r.active--;
      throw err;
    }
    return { runner: r, loadMs: opts.clock.now() - started };
  }

  /**
   * getRunner, with Ollama's limit on requests that wait for a load: past OLLAMA_MAX_QUEUE of
   * them (beside the one being served), 503.
   */
  async function runnerInTurn(spec: RunnerSpec, keepAlive: KeepAlive | undefined) {
    const ready = runners.get(runnerKey(spec.load));
    if (ready?.model && !ready.draining) return getRunner(spec, keepAlive);
    if (awaitingLoad > opts.maxQueue) throw errors.serverBusy();
    awaitingLoad++;
    try {
      return await getRunner(spec, keepAlive);
    } finally {
      awaitingLoad--;
    }
  }

  function waitForSequence(
    r: Runner,
    tokens: readonly number[],
    signal?: AbortSignal,
  ): Promise<EngineSequence> {
    const seq = r.waiters.length === 0 ? r.model!.acquireSequence(tokens) : undefined;
    if (seq) return Promise.resolve(seq);
    return new Promise<EngineSequence>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        resolve: (s) => {
          cleanup();
          resolve(s);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () => {
        const i = r.waiters.indexOf(waiter);
        if (i >= 0) r.waiters.splice(i, 1);
        waiter.reject(errors.canceled());
      };
      function cleanup() {
        signal?.removeEventListener("abort", onAbort);
      }
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      r.waiters.push(waiter);
    });
  }

  function releaseRunner(r: Runner, seq: EngineSequence | undefined) {
    r.active--;
    if (seq) {
      seq.release();
      const next = r.waiters.shift();
      if (next && r.model) {
        const s = r.model.acquireSequence(next.tokens);
        if (s) next.resolve(s);
        else r.waiters.unshift(next);
      }
    }
    startTimer(r);
  }

  return {
    async acquire(spec, keepAlive) {
      const { runner: r, loadMs } = await runnerInTurn(spec, keepAlive);
      let seq: EngineSequence | undefined;
      let released = false;
      return {
        model: r.model!,
        loadMs,
        async sequence(tokens, signal) {
          if (seq) throw new Error("a lease holds one sequence");
          seq = await waitForSequence(r, tokens, signal);
          return seq;
        },
        release: () => {
          if (released) return;
          released = true;
          releaseRunner(r, seq);
        },
      };
    },
    async expire(modelPath) {
      for (const r of [...runners.values()]) {
        if (r.spec.load.path !== modelPath) continue;
        r.draining = true;
        if (r.active === 0) await unload(r);
      }
    },
    running() {
      return [...runners.values()]
        .filter((r) => r.model)
        .map((r) => ({
          spec: r.spec,
          model: r.model!,
          expiresAt: r.expiresAt,
          keepAlive: r.keepAlive,
          active: r.active,
        }));
    },
    async shutdown() {
      for (const r of runners.values()) {
        for (const w of r.waiters.splice(0)) w.reject(errors.shuttingDown());
      }
      await Promise.all(
        [...runners.values()].map(async (r) => {
          runners.delete(r.key);
          stopTimer(r);
          try {
            await (await r.loading).dispose();
          } catch {
            // nothing loaded
          }
        }),
      );
    },
  };
}
