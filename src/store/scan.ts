// Finding manifests the way Ollama does: every non-folder at manifests/*/*/*/* whose path is a
// valid name. Anything else at that depth is a "problem" (Ollama logs it, or refuses to prune).
import fs from "node:fs/promises";
import path from "node:path";
import { isAtomicTempName } from "./fsutil.js";
import { readManifestFile, type ManifestFile } from "./manifest.js";
import { parseNameFromFilepath, type ModelName } from "./names.js";

export interface ManifestLocation {
  name: ModelName;
  path: string;
}

export interface ManifestEntry extends ManifestFile {
  name: ModelName;
}

export interface ScanProblem {
  path: string;
  reason: string;
}

/** Entries of `dir` that are folders, following symlinks as Go's Glob does. */
async function subdirs(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw err;
  }
  const out: string[] = [];
  for (const name of names) {
    const p = path.join(dir, name);
    const st = await fs.stat(p).catch(() => undefined);
    if (st?.isDirectory()) out.push(p);
  }
  return out;
}

async function depthFourFiles(manifestsDir: string): Promise<string[]> {
  let level = [manifestsDir];
  for (let depth = 0; depth < 3; depth++) {
    const next: string[] = [];
    for (const dir of level) next.push(...(await subdirs(dir)));
    level = next;
  }
  const files: string[] = [];
  for (const dir of level) {
    for (const name of (await fs.readdir(dir).catch(() => [])).sort()) {
      const p = path.join(dir, name);
      const st = await fs.stat(p).catch(() => undefined);
      if (st && !st.isDirectory()) files.push(p);
    }
  }
  return files;
}

/** Valid manifest paths and their names; our own in-flight temp files are skipped silently. */
export async function locateManifests(
  manifestsDir: string,
): Promise<{ found: ManifestLocation[]; problems: ScanProblem[] }> {
  const found: ManifestLocation[] = [];
  const problems: ScanProblem[] = [];
  for (const file of await depthFourFiles(manifestsDir)) {
    if (isAtomicTempName(path.basename(file))) continue;
    const name = parseNameFromFilepath(path.relative(manifestsDir, file));
    if (name) found.push({ name, path: file });
    else problems.push({ path: file, reason: "bad manifest name" });
  }
  return { found, problems };
}

/** Reads every manifest; unreadable ones become problems instead of failing the scan. */
export async function scanManifests(
  manifestsDir: string,
): Promise<{ entries: ManifestEntry[]; problems: ScanProblem[] }> {
  const { found, problems } = await locateManifests(manifestsDir);
  const entries: ManifestEntry[] = [];
  for (const loc of found) {
    try {
      entries.push({ ...(await readManifestFile(loc.path)), name: loc.name });
    } catch (err) {
      problems.push({ path: loc.path, reason: (err as Error).message });
    }
  }
  return { entries, problems };
}
