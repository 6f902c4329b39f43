// The globals Python-side chat-template renderers (transformers, llama.cpp) provide. The library sets
// these up in a function it doesn't export, so we declare them ourselves on our own Environment.

import { pyStr } from "./repr.js";
import { bool, fn, int, isInt, list, none, str, type Env, type Value } from "./values.js";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** C-locale strftime for the directives chat templates use ("%d %b %Y" in Llama 3.x). */
export function strftime(d: Date, format: string): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  const hour12 = d.getHours() % 12 || 12;
  return format.replace(/%[a-zA-Z%]/g, (tok) => {
    switch (tok) {
      case "%Y":
        return String(d.getFullYear());
      case "%y":
        return p2(d.getFullYear() % 100);
      case "%m":
        return p2(d.getMonth() + 1);
      case "%d":
        return p2(d.getDate());
      case "%e":
        return String(d.getDate()).padStart(2, " ");
      case "%B":
        return MONTHS[d.getMonth()] ?? "";
      case "%b":
        return (MONTHS[d.getMonth()] ?? "").slice(0, 3);
      case "%A":
        return DAYS[d.getDay()] ?? "";
      case "%a":
        return (DAYS[d.getDay()] ?? "").slice(0, 3);
      case "%H":
        return p2(d.getHours());
      case "%I":
        return p2(hour12);
      case "%M":
        return p2(d.getMinutes());
      case "%S":
        return p2(d.getSeconds());
      case "%p":
        return d.getHours() < 12 ? "AM" : "PM";
      case "%%":
        return "%";
      default:
        return tok;
    }
  });
}

function range(args: Value[]): Value {
  const n = args.map((a) => {
    if (!isInt(a)) throw new Error(`range() expects integers, got ${a.type}`);
    return a.value;
  });
  const [start, stop, step = 1] = n.length === 1 ? [0, n[0] ?? 0] : n;
  if (step === 0) throw new Error("range() arg 3 must not be zero");
  const out: Value[] = [];
  for (let i = start ?? 0; step > 0 ? i < (stop ?? 0) : i > (stop ?? 0); i += step) out.push(int(i));
  return list(out);
}

export function declareGlobals(env: Env, now: () => Date = () => new Date()): void {
  const globals: [string, Value][] = [
    ["true", bool(true)],
    ["false", bool(false)],
    ["none", none()],
    ["True", bool(true)],
    ["False", bool(false)],
    ["None", none()],
    [
      "raise_exception",
      fn((args) => {
        throw new Error(args[0] ? pyStr(args[0]) : "raise_exception");
      }),
    ],
    ["range", fn(range)],
    ["strftime_now", fn((args) => str(strftime(now(), args[0] ? pyStr(args[0]) : "")))],
  ];
  for (const [name, value] of globals) env.setVariable(name, value);
}
