import { readFileSync } from "node:fs";

/** tollama's version, from package.json; /api/version and the CLI report it. */
export const version: string = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
