// A Python-compatible layer over @huggingface/jinja: see interpreter.ts for how it hooks in.

export { renderProgram } from "./interpreter.js";
export { parseProgram, type Program } from "./values.js";
export { pyFormat } from "./format.js";
export { pyRepr, pyStr } from "./repr.js";
export { strftime } from "./globals.js";
