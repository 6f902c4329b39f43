/** `tollama serve`: read the environment, prune the store, listen, and shut down cleanly on signals. */
import { describeConfig, loadConfig } from "../config/index.js";
import { createApp } from "./app.js";
import { createLogger } from "./logger.js";
import { version } from "./version.js";

export async function serve(): Promise<void> {
  const warnings: string[] = [];
  const config = loadConfig(process.env, (m) => warnings.push(m));
  const log = createLogger(config.debug);
  for (const w of warnings) log.warn(w);
  log.info(describeConfig(config));
  const app = createApp({ config, log });
  if (!config.noPrune) {
    try {
      await app.store.prune();
    } catch (err) {
      log.warn("prune failed", { error: String(err) });
    }
  }
  const addr = await app.listen(config.host.hostname, config.host.port);
  log.info(
    `Listening on ${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port} (version ${version})`,
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
