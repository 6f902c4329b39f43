// Local files named by a Modelfile: path expansion, model directories and digests, following
// Ollama's parser package (expandPath, filesForModel, fileDigestMap) and the CLI's file naming.
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export const ERR_NO_MODEL_FILES = "no Modelfile or safetensors files found";

async function homeOf(user: string): Promise<string> {
  const passwd = await fs.readFile("/etc/passwd", "utf8").catch(() => "");
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f[0] === user && f[5] !== undefined) return f[5];
  }
  throw new Error(`failed to find user '${user}': user: unknown user ${user}`);
}

/** Absolute path of a Modelfile argument: absolute as is, ~ and ~user expanded, else from dir. */
export async function expandPath(p: string, relativeDir: string): Promise<string> {
  if (path.isAbsolute(p) || p.startsWith("\\") || p.startsWith("/")) return path.resolve(p);
  if (p.startsWith("~")) {
    if (p === "~" || p.startsWith("~/")) return path.resolve(homedir(), `.${p.slice(1)}`);
    const [user = "", rest = ""] = p.slice(1).split(/\/(.*)/s);
    return path.resolve(await homeOf(user), rest);
  }
  return path.resolve(relativeDir, p);
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** filepath.Glob with one optional leading "*\/" level; sorted like Go's. */
async function glob(dir: string, pattern: string): Promise<string[]> {
  const parts = pattern.split("/");
  let bases = [dir];
  for (const [i, part] of parts.entries()) {
    const re = globToRegExp(part);
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      const entries = await fs.readdir(base, { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (!re.test(e.name)) continue;
        if (last || e.isDirectory() || e.isSymbolicLink()) next.push(path.join(base, e.name));
      }
    }
    bases = next;
  }
  return bases;
}

async function firstMatch(dir: string, groups: string[][]): Promise<string[]> {
  for (const patterns of groups) {
    const primary = patterns[0] ?? "";
    const found = await glob(dir, primary);
    if (found.length === 0) continue;
    for (const extra of patterns.slice(1)) found.push(...(await glob(dir, extra)));
    return found;
  }
  return [];
}

/** The files of a model directory, weights first, in the order Ollama picks them. */
export async function filesForModel(dir: string): Promise<string[]> {
  const weights = await firstMatch(dir, [
    ["model*.safetensors", "*/model*.safetensors"],
    ["consolidated*.safetensors"],
    // LoRA adapters for ADAPTER: MLX's and PEFT's file names
    ["adapters.safetensors"],
    ["adapter_model.safetensors"],
    ["pytorch_model*.bin"],
    ["consolidated*.pth"],
    ["*.gguf"],
    ["*.bin"],
  ]);
  if (weights.length === 0) throw new Error(ERR_NO_MODEL_FILES);
  const files = [...weights, ...(await glob(dir, "*.json")), ...(await glob(dir, "*/*.json"))];
  files.push(...(await glob(dir, "chat_template.jinja")));
  const tok = await glob(dir, "tokenizer.model");
  files.push(...(tok.length > 0 ? tok : await glob(dir, "*/tokenizer.model")));
  return files;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}

/**
 * path -> digest for a file, or for every model file of a directory. Throws ENOENT errors
 * untouched so the caller can treat a missing FROM path as a model name.
 */
export async function fileDigestMap(p: string): Promise<Map<string, string>> {
  const st = await fs.stat(p);
  let files = [p];
  if (st.isDirectory()) {
    files = [];
    for (const f of await filesForModel(p)) {
      const real = await fs.realpath(f);
      const rel = path.relative(p, real);
      if (rel.startsWith("..") || path.isAbsolute(rel)) {
        if (rel.includes(".cache")) {
          throw new Error(
            `insecure path: ${rel}\n\nUse --local-dir <dir> when downloading model to disable caching`,
          );
        }
        throw new Error(`insecure path: ${rel}`);
      }
      files.push(real);
    }
  }
  const out = new Map<string, string>();
  for (const f of files) out.set(f, await sha256File(await fs.realpath(f)));
  return out;
}

function commonRoot(files: string[]): string | undefined {
  if (files.length < 2) return undefined;
  let root: string | undefined;
  for (const f of files) {
    const dir = path.dirname(path.resolve(f));
    if (root === undefined) {
      root = dir;
      continue;
    }
    while (root !== undefined) {
      const rel = path.relative(root, dir);
      if (rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel))) break;
      const parent: string = path.dirname(root);
      root = parent === root ? undefined : parent;
    }
    if (root === undefined) return undefined;
  }
  return root;
}

/** Names sent in `files`: the base name, or the path below the files' common folder. */
export function requestFileNames(files: string[]): Map<string, string> {
  const root = commonRoot(files);
  const names = new Map<string, string>();
  for (const f of files) {
    let name = path.basename(f);
    if (root !== undefined) {
      const rel = path.relative(root, path.resolve(f));
      if (rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`)) name = rel;
    }
    names.set(f, path.posix.normalize(name.split(path.sep).join("/")));
  }
  return names;
}
