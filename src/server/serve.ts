/** `tollama serve`: read the environment, prune the store, listen, and shut down cleanly on signals. */
import { describeConfig, loadConfig, vramContextLength, type Config } from "../config/index.js";
import { createApp, type App } from "./app.js";
import { createLogger, type Logger } from "./logger.js";
import { ollamaVersion, version } from "./version.js";

export async function serve(): Promise<void> {
  const warnings: string[] = [];
  const config = loadConfig(process.env, (m) => warnings.push(m));
  const log = createLogger(config.debug);
  for (const w of warnings) log.warn(w);
  log.info(describeConfig(config));
  const app = createApp({ config, log });
  if (!config.contextLengthSet) await useVramContextLength(app, config, log);
  if (!config.noPrune) {
    try {
      await app.store.prune();
    } catch (err) {
      log.warn("prune failed", { error: String(err) });
    }
  }
  const addr = await app.listen(config.host.hostname, config.host.port);
  log.info(
    `Listening on ${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port} (version ${version}, Ollama API ${ollamaVersion})`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal forces the exit
    stopping = true;
    log.info("shutting down", { signal });
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("shutdown failed", { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

/** How long startup waits for the GPUs' memory before keeping the 4096 default (ms). */
const VRAM_WAIT_MS = 15_000;

/**
 * Ollama sizes its default context by the GPUs it finds at startup; so does tollama. Finding them
 * opens llama.cpp (and self-tests a GPU backend), which a new GPU can make slow: past VRAM_WAIT_MS
 * the server listens with the default it has rather than keep clients waiting.
 */
async function useVramContextLength(app: App, config: Config, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), VRAM_WAIT_MS);
  });
  try {
    const mem = await Promise.race([app.engine.memory(), late]);
    if (mem === "late") {
      log.warn("GPU discovery is slow; default context stays 4096", { waited_ms: VRAM_WAIT_MS });
      return;
    }
    // Ollama sizes the tier by what models may use of the GPUs: OLLAMA_GPU_OVERHEAD is not theirs.
    config.contextLength = vramContextLength(Math.max(0, mem.vramTotal - config.gpuOverhead));
    log.info("vram-based default context", {
      total_vram: mem.vramTotal > 0 ? `${(mem.vramTotal / 1024 ** 3).toFixed(1)} GiB` : "0 B",
      default_num_ctx: config.contextLength,
    });
  } catch (err) {
    log.warn("no GPU information; default context stays 4096", { error: String(err) });
  } finally {
    clearTimeout(timer);
  }
}
