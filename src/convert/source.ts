/** A checkpoint's files, and its JSON files read with their names in any error. */
import { readFile } from "node:fs/promises";

/** The checkpoint's files: relative name (`model-00001-of-00002.safetensors`) to path on disk. */
export type Checkpoint = ReadonlyMap<string, string>;

/** The checkpoint's files by name; read returns undefined for a file that is not there. */
export interface SourceFiles {
  read(name: string): Promise<Buffer | undefined>;
}

export function sourceFiles(files: Checkpoint): SourceFiles {
  return {
    async read(name) {
      const path = files.get(name);
      return path === undefined ? undefined : readFile(path);
    },
  };
}

/** A JSON file of the checkpoint, or undefined when it has none. */
export async function readOptionalJson<T>(files: SourceFiles, name: string): Promise<T | undefined> {
  const bytes = await files.read(name);
  if (!bytes) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

/** A JSON file the checkpoint must have; a missing one is named as Go's os.Open names it. */
export async function readJsonFile<T>(files: SourceFiles, name: string): Promise<T> {
  const value = await readOptionalJson<T>(files, name);
  if (value === undefined) throw new Error(`open ${name}: file does not exist`);
  return value;
}
