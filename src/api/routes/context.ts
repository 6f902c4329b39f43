/** What every route module gets: the long-lived services, built once by the app. */
import type { Config } from "../../config/index.js";
import type { Store } from "../../store/index.js";
import type { Scheduler } from "../../scheduler/scheduler.js";
import type { Logger } from "../../server/logger.js";
import type { Models } from "../../core/models.js";

export interface RouteContext {
  config: Config;
  store: Store;
  scheduler: Scheduler;
  models: Models;
  log: Logger;
  /** What /api/version answers: the Ollama release whose API tollama follows. */
  version: string;
  /** Aborts when the server shuts down: running generations end with an error line. */
  shutdown: AbortSignal;
}
