// `show`: one field with a flag, otherwise Ollama's sectioned summary (showInfo in cmd.go).
import type { ShowResponse } from "../client.js";
import { println, type Ctx } from "../context.js";
import { displayWidth, humanNumber, renderTable } from "../format.js";
import { goFloat } from "../../modelfile/index.js";

export interface ShowFlags {
  license?: boolean;
  modelfile?: boolean;
  parameters?: boolean;
  system?: boolean;
  template?: boolean;
  verbose?: boolean;
}

const FIELD_FLAGS = ["license", "modelfile", "parameters", "system", "template"] as const;

export async function show(model: string, flags: ShowFlags, ctx: Ctx): Promise<void> {
  const chosen = FIELD_FLAGS.filter((f) => flags[f]);
  if (chosen.length > 1) {
    throw new Error(
      "only one of '--license', '--modelfile', '--parameters', '--system', or '--template' can be specified",
    );
  }
  const resp = await ctx.client.show(model, flags.verbose === true);
  const out = ctx.io.stdout;
  switch (chosen[0]) {
    case "license":
      return println(out, resp.license ?? "");
    case "modelfile":
      return println(out, resp.modelfile ?? "");
    case "parameters":
      return println(out, resp.parameters ?? "");
    case "system":
      out.write(resp.system ?? "");
      return;
    case "template":
      out.write(resp.template ?? "");
      return;
    default:
      out.write(showInfo(resp, flags.verbose === true));
  }
}

function section(title: string, rows: string[][], maxColWidth = 30): string {
  return `  ${title}\n${renderTable(rows, { maxColWidth })}\n`;
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

function modelRows(resp: ShowResponse): string[][] {
  const rows: string[][] = [];
  if (resp.remote_host) {
    rows.push(["", "Remote model", resp.remote_model ?? ""], ["", "Remote URL", resp.remote_host]);
  }
  const info = resp.model_info;
  const details = resp.details ?? {};
  if (info) {
    const arch = typeof info["general.architecture"] === "string" ? info["general.architecture"] : "";
    if (arch) rows.push(["", "architecture", arch]);
    const count = num(info["general.parameter_count"]);
    const params = details.parameter_size || (count !== undefined ? humanNumber(count) : "");
    if (params) rows.push(["", "parameters", params]);
    const ctxLen = num(info[`${arch}.context_length`]);
    if (ctxLen !== undefined) rows.push(["", "context length", String(ctxLen)]);
    const embLen = num(info[`${arch}.embedding_length`]);
    if (embLen !== undefined) rows.push(["", "embedding length", String(embLen)]);
  } else {
    rows.push(["", "architecture", details.family ?? ""], ["", "parameters", details.parameter_size ?? ""]);
  }
  rows.push(["", "quantization", details.quantization_level ?? ""]);
  if (resp.requires) rows.push(["", "requires", resp.requires]);
  return rows;
}

function projectorRows(p: Record<string, unknown>): string[][] {
  const rows: string[][] = [];
  const arch = typeof p["general.architecture"] === "string" ? p["general.architecture"] : "";
  if (arch) rows.push(["", "architecture", arch]);
  const count = num(p["general.parameter_count"]);
  if (count !== undefined) rows.push(["", "parameters", humanNumber(count)]);
  const value = (suffix: string): number | undefined =>
    num(p[`${arch}.vision.${suffix}`]) ?? num(p[`${arch}.audio.${suffix}`]);
  const emb = value("embedding_length");
  if (emb !== undefined) rows.push(["", "embedding length", String(emb)]);
  const dim = value("projection_dim");
  if (dim !== undefined) rows.push(["", "dimensions", String(dim)]);
  return rows;
}

/** Go's %v of a JSON value. */
function goV(v: unknown): string {
  if (typeof v === "number") return goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(" ")}]`;
  return String(v);
}

/** Long arrays are cut to about ten columns with a count of the rest, as Ollama does. */
export function metadataValue(v: unknown): string {
  if (typeof v === "boolean" || typeof v === "string") return String(v);
  if (typeof v === "number") return goFloat(v);
  if (!Array.isArray(v)) return v === null ? "<nil>" : "map[string]interface {}";
  let shown = 0;
  let width = 1;
  for (const [i, item] of v.entries()) {
    const w = displayWidth(goV(item)) + (i > 0 ? 2 : 0);
    if (width + w > 10 && i > 0) break;
    width += w;
    shown++;
  }
  if (shown >= v.length) return goV(v);
  return `${goV(v.slice(0, shown)).slice(0, -1)} ...+${v.length - shown} more]`;
}

function head(s: string, n: number): string[][] {
  const lines = s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const rows = lines.slice(0, n).map((l) => ["", l]);
  if (lines.length > n) rows.push(["", "..."]);
  return rows;
}

export function showInfo(resp: ShowResponse, verbose: boolean): string {
  let out = section("Model", modelRows(resp));
  if (resp.capabilities?.length)
    out += section(
      "Capabilities",
      resp.capabilities.map((c) => ["", c]),
    );
  if (resp.projector_info) out += section("Projector", projectorRows(resp.projector_info));
  if (resp.parameters) {
    const rows = resp.parameters
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => ["", ...l.trim().split(/\s+/)]);
    out += section("Parameters", rows);
  }
  if (resp.model_info && verbose) {
    const info = resp.model_info;
    const rows = Object.keys(info)
      .sort()
      .map((k) => ["", k, metadataValue(info[k])]);
    out += section("Metadata", rows);
  }
  if (resp.tensors?.length && verbose) {
    out += section(
      "Tensors",
      resp.tensors.map((t) => ["", t.name, t.type, `[${t.shape.join(" ")}]`]),
    );
  }
  if (resp.system) out += section("System", head(resp.system, 2), 100);
  if (resp.license) out += section("License", head(resp.license, 2), 100);
  return out;
}
