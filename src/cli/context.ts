import type { Client } from "./client.js";
import type { Io } from "./io.js";

/** Everything a command touches, passed in so tests can substitute each part. */
export interface Ctx {
  io: Io;
  client: Client;
  /** Milliseconds since the epoch; tests fix it. */
  now: () => number;
}

export function println(out: Io["stdout"], text = ""): void {
  out.write(`${text}\n`);
}
