// Typing of PARAMETER values, following Ollama's api.FormatParams over api.Options: the option's
// Go type decides how the text is parsed, and the error texts are Ollama's.

export type ParamType = "int" | "float" | "bool" | "string[]";
export type ParamValue = number | boolean | string[];

/** The JSON names of api.Options (and its embedded api.Runner) with their types. */
export const PARAMETER_TYPES: Readonly<Record<string, ParamType>> = {
  num_ctx: "int",
  num_batch: "int",
  num_gpu: "int",
  main_gpu: "int",
  use_mmap: "bool",
  num_thread: "int",
  draft_num_predict: "int",
  num_keep: "int",
  seed: "int",
  num_predict: "int",
  top_k: "int",
  top_p: "float",
  min_p: "float",
  typical_p: "float",
  repeat_last_n: "int",
  temperature: "float",
  repeat_penalty: "float",
  presence_penalty: "float",
  frequency_penalty: "float",
  stop: "string[]",
};

/** Ollama warns about these and drops them instead of failing. */
export const DEPRECATED_PARAMETERS: readonly string[] = [
  "penalize_newline",
  "low_vram",
  "f16_kv",
  "logits_all",
  "vocab_only",
  "use_mlock",
  "mirostat",
  "mirostat_tau",
  "mirostat_eta",
];

export class ParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParameterError";
  }
}

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, underscores not allowed.
const INT = /^[+-]?\d+$/;
// Go's strconv.ParseFloat accepts decimal and hex floats, inf/infinity and nan, and underscores
// between digits only with a base prefix; decimal and the named values cover real Modelfiles.
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;
const BOOL_TRUE = ["1", "t", "T", "TRUE", "true", "True"];
const BOOL_FALSE = ["0", "f", "F", "FALSE", "false", "False"];

/** Go's %s of a []string: "[a b]". */
const goList = (vals: readonly string[]): string => `[${vals.join(" ")}]`;

export function parseInt64(s: string): number | undefined {
  if (!INT.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return Number(n);
}

export function parseFloat32(s: string): number | undefined {
  if (!FLOAT.test(s)) return undefined;
  const lower = s.toLowerCase().replace(/^\+/, "");
  if (lower === "nan") return NaN;
  if (/^-?inf/.test(lower)) return lower.startsWith("-") ? -Infinity : Infinity;
  const f = Math.fround(Number(s));
  // Out of float32's range is a range error in Go.
  if (!Number.isFinite(f)) return undefined;
  return f;
}

export function parseGoBool(s: string): boolean | undefined {
  if (BOOL_TRUE.includes(s)) return true;
  if (BOOL_FALSE.includes(s)) return false;
  return undefined;
}

/**
 * Types one parameter's values (several only for `stop`). Floats are rounded to float32 as in
 * Ollama, then given as the shortest decimal of that float32 (what Go's JSON sends: 0.7, not
 * 0.699999988079071).
 */
export function formatParam(key: string, vals: readonly string[]): ParamValue {
  const type = PARAMETER_TYPES[key];
  if (type === undefined) throw new ParameterError(`unknown parameter '${key}'`);
  const first = vals[0] ?? "";
  switch (type) {
    case "int": {
      const n = parseInt64(first);
      if (n === undefined) throw new ParameterError(`invalid int value ${goList(vals)}`);
      return n;
    }
    case "float": {
      const f = parseFloat32(first);
      if (f === undefined) throw new ParameterError(`invalid float value ${goList(vals)}`);
      return formatFloat32(f);
    }
    case "bool": {
      const b = parseGoBool(first);
      if (b === undefined) throw new ParameterError(`invalid bool value ${goList(vals)}`);
      return b;
    }
    case "string[]":
      return [...vals];
  }
}

/**
 * The shortest decimal that reads back as the same float32, so 0.7 stays "0.7" rather than
 * float64's 0.699999988079071 (Go marshals float32 this way too).
 */
export function formatFloat32(f: number): number {
  if (!Number.isFinite(f)) return f;
  for (let p = 1; p <= 9; p++) {
    const v = Number(f.toPrecision(p));
    if (Math.fround(v) === f) return v;
  }
  return f;
}
