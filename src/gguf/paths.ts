// Where the repository and the shared fixtures folder beside it are, wherever the code runs from
// (src via tsc output in dist/, or a clone in another folder as CI uses).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder above this module holding a package.json: the repository root. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** ../shared/models beside the repository: vocab-only GGUFs with real tokenizers. */
export function sharedModelsDir(): string {
  return resolve(repoRoot(), "..", "shared", "models");
}
