/** Log lines in the spirit of Ollama's slog text output: time, level, message, key=value pairs. */
export interface Logger {
  info(msg: string, attrs?: Record<string, unknown>): void;
  warn(msg: string, attrs?: Record<string, unknown>): void;
  error(msg: string, attrs?: Record<string, unknown>): void;
  debug(msg: string, attrs?: Record<string, unknown>): void;
}

export function createLogger(
  debugLevel: number,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const line = (level: string, msg: string, attrs?: Record<string, unknown>) => {
    const kv = Object.entries(attrs ?? {})
      .map(([k, v]) => `${k}=${typeof v === "string" && !/\s|"/.test(v) ? v : JSON.stringify(v)}`)
      .join(" ");
    write(
      `time=${new Date().toISOString()} level=${level} msg=${JSON.stringify(msg)}${kv ? ` ${kv}` : ""}\n`,
    );
  };
  return {
    info: (m, a) => line("INFO", m, a),
    warn: (m, a) => line("WARN", m, a),
    error: (m, a) => line("ERROR", m, a),
    debug: (m, a) => debugLevel > 0 && line("DEBUG", m, a),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
