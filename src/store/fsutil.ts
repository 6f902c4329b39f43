// Small filesystem helpers shared by the store: atomic writes and empty-folder pruning.
import { randomInt } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/** Temp files of atomic writes: `.<final name>.<pid>-<random>.tmp`. */
const TEMP_FILE = /^\..+\.\d+-\d+\.tmp$/;

/**
 * The leading dot makes a leftover temp manifest an invalid tag, so neither Ollama's manifest scan
 * nor ours can mistake it for a model.
 */
export function isAtomicTempName(name: string): boolean {
  return TEMP_FILE.test(name);
}

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomInt(1e9)}.tmp`);
}

/** Writes `data` to a temp file beside `file`, then renames it over `file`. */
export async function writeFileAtomic(file: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  const temp = tempPathFor(file);
  try {
    await fs.writeFile(temp, data, { flag: "wx", mode });
    await fs.rename(temp, file);
  } finally {
    await fs.rm(temp, { force: true });
  }
}

function isIgnorableRace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTEMPTY" || code === "EEXIST";
}

/**
 * Removes empty folders below `dir` depth-first, like Ollama's PruneDirectory, without following
 * symlinks. `dir` itself is kept so the store layout stays in place.
 */
export async function pruneEmptyDirs(dir: string, keepSelf = true): Promise<void> {
  let st;
  try {
    st = await fs.lstat(dir);
  } catch (err) {
    if (isIgnorableRace(err)) return;
    throw err;
  }
  if (!st.isDirectory()) return;
  for (const entry of await fs.readdir(dir)) await pruneEmptyDirs(path.join(dir, entry), false);
  if (keepSelf) return;
  try {
    if ((await fs.readdir(dir)).length === 0) await fs.rmdir(dir);
  } catch (err) {
    if (!isIgnorableRace(err)) throw err;
  }
}

/** Walks the file tree under `dir` (not following symlinked folders), yielding file paths. */
export async function* walkFiles(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(p);
    else yield p;
  }
}
