/**
 * The composition root: builds the store, engine, scheduler and HTTP server from a config.
 * Tests swap the engine or clock through the options.
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config/index.js";
import type { Engine } from "../engine/types.js";
import { createLlamaEngine } from "../engine/llama.js";
import { idlePollAllowed, idlePollWanted } from "../engine/idle-poll.js";
import { createStore, type Store } from "../store/index.js";
import { createScheduler, type Scheduler } from "../scheduler/scheduler.js";
import { systemClock, type Clock } from "../scheduler/clock.js";
import { createModels } from "../core/models.js";
import { createHttpServer } from "../api/server.js";
import { modelRoutes } from "../api/routes/models.js";
import { inferenceRoutes } from "../api/routes/inference.js";
import { createRoutes } from "../api/routes/create.js";
import { showRoutes } from "../api/routes/show.js";
import { embedRoutes } from "../api/routes/embed.js";
import { registryRoutes } from "../api/routes/registry.js";
import { openaiRoutes } from "../openai/routes.js";
import { anthropicRoutes } from "../anthropic/routes.js";
import type { RouteContext } from "../api/routes/context.js";
import { silentLogger, type Logger } from "./logger.js";
import { ollamaVersion } from "./version.js";

export interface AppOptions {
  config: Config;
  /** Default: node-llama-cpp with config.numThread threads. */
  engine?: Engine;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: silent. */
  log?: Logger;
}

export interface App {
  http: FastifyInstance;
  store: Store;
  scheduler: Scheduler;
  engine: Engine;
  /** Listens on host:port (port 0 picks a free one); returns the bound address. */
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

export function createApp(opts: AppOptions): App {
  const { config } = opts;
  const log = opts.log ?? silentLogger;
  const engine =
    opts.engine ??
    createLlamaEngine({
      maxThreads: config.numThread,
      library: process.env.OLLAMA_LLM_LIBRARY,
      debug: config.debug > 0,
      onGpuFallback: (gpu, reason) =>
        log.warn("GPU backend failed its self-test and is not used", { gpu, reason }),
      gpuOverhead: config.gpuOverhead,
      onGpuFit: (fit) =>
        log.info("offload", {
          layers: `${fit.layers}/${fit.totalLayers}`,
          available: `${(fit.available / 1024 ** 3).toFixed(1)} GiB`,
          free: `${(fit.free / 1024 ** 3).toFixed(1)} GiB`,
        }),
      idlePoll: idlePoll(config, log),
      onIdlePollError: (error) => notPolling(config, log, { error }),
      loadTimeoutMs: config.loadTimeout === "forever" ? undefined : config.loadTimeout,
    });
  const store = createStore({ root: config.models, noPrune: config.noPrune, warn: (m) => log.warn(m) });
  const scheduler = createScheduler({
    engine,
    clock: opts.clock ?? systemClock,
    maxQueue: config.maxQueue,
    maxLoadedModels: config.maxLoadedModels,
    defaultKeepAlive: config.keepAlive,
    onLoaded: (spec, load, ms, facts) =>
      log.info("model loaded", {
        model: spec.name,
        parallel: load.sequences,
        num_ctx: load.contextSize,
        threads: facts.threads ?? load.threads,
        seconds: (ms / 1000).toFixed(2),
      }),
  });
  const shutdown = new AbortController();
  const ctx: RouteContext = {
    config,
    store,
    scheduler,
    models: createModels(store),
    log,
    version: ollamaVersion,
    shutdown: shutdown.signal,
  };
  const http = createHttpServer({
    origins: config.origins,
    routes: [
      ...modelRoutes(ctx),
      ...inferenceRoutes(ctx),
      ...createRoutes(ctx),
      ...showRoutes(ctx),
      ...embedRoutes(ctx),
      ...registryRoutes(ctx),
      ...openaiRoutes(ctx),
      ...anthropicRoutes(ctx),
    ],
  });
  return {
    http,
    store,
    scheduler,
    engine,
    async listen(host, port) {
      await http.listen({ host, port });
      return http.server.address() as AddressInfo;
    },
    async close() {
      shutdown.abort();
      // Streams notice within a token; give them a moment to write their last line.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await http.close();
      await scheduler.shutdown();
      await engine.dispose();
    },
  };
}

/** Whether decodes keep idle CPUs polling (TOLLAMA_IDLE_POLL); said once at startup when they do. */
function idlePoll(config: Config, log: Logger): boolean {
  if (!idlePollWanted(config.idlePoll)) return false;
  if (!idlePollAllowed()) {
    notPolling(config, log, { error: "/dev/cpu_dma_latency is not writable" });
    return false;
  }
  log.info("idle CPUs poll while a model decodes", { TOLLAMA_IDLE_POLL: config.idlePoll });
  return true;
}

/** Polling asked for by name, its failure is worth a warning; "auto" stays quiet without root. */
function notPolling(config: Config, log: Logger, attrs: { error: string }): void {
  if (config.idlePoll === "on") log.warn("idle CPUs are not kept polling", attrs);
  else log.debug("idle CPUs are not kept polling", attrs);
}
