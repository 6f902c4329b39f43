// The --verbose timing summary (Ollama's Metrics.Summary), durations printed as Go prints them.
import type { Metrics } from "../client.js";
import { formatGoDuration } from "../duration.js";

export function summary(m: Metrics): string {
  let out = "";
  const line = (label: string, value: string): void => {
    out += `${`${label}:`.padEnd(22)}${value}\n`;
  };
  const rate = (count: number, ns: number): string => `${(count / (ns / 1e9)).toFixed(2)} tokens/s`;
  if (m.total_duration) line("total duration", formatGoDuration(m.total_duration));
  if (m.load_duration) line("load duration", formatGoDuration(m.load_duration));
  if (m.prompt_eval_count) line("prompt eval count", `${m.prompt_eval_count} token(s)`);
  if (m.prompt_eval_duration) {
    line("prompt eval duration", formatGoDuration(m.prompt_eval_duration));
    line("prompt eval rate", rate(m.prompt_eval_count ?? 0, m.prompt_eval_duration));
  }
  if (m.eval_count) line("eval count", `${m.eval_count} token(s)`);
  if (m.eval_duration) {
    line("eval duration", formatGoDuration(m.eval_duration));
    line("eval rate", rate(m.eval_count ?? 0, m.eval_duration));
  }
  return out;
}
