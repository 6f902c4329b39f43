import type { Ctx } from "../context.js";
import { humanBytes, humanTime, isZeroTime, renderTable } from "../format.js";
import type { ListModel, RunningModel } from "../client.js";

export function listRows(models: ListModel[], filter: string | undefined, now: number): string[][] {
  const prefix = filter?.toLowerCase();
  return models
    .filter((m) => prefix === undefined || m.name.toLowerCase().startsWith(prefix))
    .map((m) => [
      m.name,
      m.digest.slice(0, 12),
      m.remote_model ? "-" : humanBytes(m.size),
      humanTime(m.modified_at, "Never", now),
    ]);
}

export async function list(args: string[], ctx: Ctx): Promise<void> {
  const models = await ctx.client.list();
  const rows = listRows(models, args[0], ctx.now());
  ctx.io.stdout.write(renderTable(rows, { header: ["NAME", "ID", "SIZE", "MODIFIED"] }));
}

export function processorText(size: number, vram: number): string {
  if (vram === 0) return "100% CPU";
  if (vram === size) return "100% GPU";
  if (vram > size || size === 0) return "Unknown";
  const cpu = Math.round(((size - vram) / size) * 100);
  return `${cpu}%/${100 - cpu}% CPU/GPU`;
}

export function psRows(models: RunningModel[], filter: string | undefined, now: number): string[][] {
  return models
    .filter((m) => filter === undefined || m.name.startsWith(filter))
    .map((m) => {
      const expired = !isZeroTime(m.expires_at) && new Date(m.expires_at as string).getTime() < now;
      return [
        m.name,
        m.digest.slice(0, 12),
        humanBytes(m.size),
        processorText(m.size, m.size_vram ?? 0),
        String(m.context_length ?? 0),
        expired ? "Stopping..." : humanTime(m.expires_at, "Never", now),
      ];
    });
}

export async function ps(args: string[], ctx: Ctx): Promise<void> {
  const models = await ctx.client.ps();
  const rows = psRows(models, args[0], ctx.now());
  ctx.io.stdout.write(renderTable(rows, { header: ["NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"] }));
}
