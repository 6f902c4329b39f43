import { randomInt } from "node:crypto";

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

/** An id in the form Ollama gives tool calls: "call_" and eight lower-case letters or digits. */
export function toolCallId(): string {
  let s = "call_";
  for (let i = 0; i < 8; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}
