// Tokenizer metadata for generated models: either copied from a vocab-only GGUF (llama.cpp ships
// ggml-vocab-*.gguf files) or a small byte-level BPE built here, so tests need no external files.

import { readGguf, typedEntry } from "./reader.js";
import {
  GgufValueType,
  TokenType,
  isGgufArray,
  typed,
  type GgufTypedValue,
  type GgufValue,
} from "./types.js";

export type TokenizerMetadata = Record<string, GgufTypedValue>;

export const CHATML_TEMPLATE =
  "{%- for message in messages %}" +
  "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

export const BUILTIN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** GPT-2's reversible byte → printable character map (bytes_to_unicode in its encoder.py). */
function byteToUnicode(): string[] {
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable(b) ? b : 256 + extra++));
  return out;
}

const ALPHABET = "etaoinshrdlucmfwypvbgkjqxz";

/**
 * Letter strings in the order the built-in vocabulary adds them: " x", then "xy" and " xy", then
 * "xyz" and " xyz", ... Each comes with the merge that builds it from a shorter token already
 * in the list, so every token is reachable and the merge list stays consistent at any cut-off.
 */
function* letterTokens(): Generator<{ token: string; merge: string }> {
  const space = "Ġ";
  let prev: string[] = [...ALPHABET];
  for (const c of ALPHABET) yield { token: space + c, merge: `${space} ${c}` };
  for (;;) {
    const next: string[] = [];
    for (const p of prev) for (const c of ALPHABET) next.push(p + c);
    for (const p of prev) for (const c of ALPHABET) yield { token: p + c, merge: `${p} ${c}` };
    for (const p of prev)
      for (const c of ALPHABET) yield { token: space + p + c, merge: `${space}${p} ${c}` };
    prev = next;
  }
}

/**
 * A byte-level BPE ("gpt2" model, qwen2 pre-tokenizer) of exactly `vocabSize` tokens: the 256
 * byte tokens, the three ChatML specials (ids 256-258) and generated letter tokens. eos is
 * <|im_end|> so chat turns end, bos/pad are <|endoftext|> and no bos is added, as in Qwen2.5.
 */
export function builtinTokenizer(vocabSize = 1024): TokenizerMetadata {
  if (vocabSize < 259) throw new Error("the built-in tokenizer needs at least 259 tokens");
  const tokens: string[] = byteToUnicode();
  const types: number[] = tokens.map(() => TokenType.NORMAL);
  for (const s of BUILTIN_SPECIALS) {
    tokens.push(s);
    types.push(TokenType.CONTROL);
  }
  const merges: string[] = [];
  const gen = letterTokens();
  while (tokens.length < vocabSize) {
    const { token, merge } = gen.next().value as { token: string; merge: string };
    tokens.push(token);
    types.push(TokenType.NORMAL);
    merges.push(merge);
  }
  return {
    "tokenizer.ggml.model": typed.str("gpt2"),
    "tokenizer.ggml.pre": typed.str("qwen2"),
    "tokenizer.ggml.tokens": typed.array(GgufValueType.STRING, tokens),
    "tokenizer.ggml.token_type": typed.array(GgufValueType.INT32, types),
    "tokenizer.ggml.merges": typed.array(GgufValueType.STRING, merges),
    "tokenizer.ggml.eos_token_id": typed.u32(258),
    "tokenizer.ggml.bos_token_id": typed.u32(256),
    "tokenizer.ggml.padding_token_id": typed.u32(256),
    "tokenizer.ggml.add_bos_token": typed.bool(false),
    "tokenizer.chat_template": typed.str(CHATML_TEMPLATE),
  };
}

/** Every `tokenizer.*` key of a GGUF file (a vocab-only one or a full model), with its type. */
export async function tokenizerFromGguf(path: string): Promise<TokenizerMetadata> {
  const file = await readGguf(path, { skipTensors: true });
  const out: TokenizerMetadata = {};
  for (const key of Object.keys(file.metadata)) {
    const entry = typedEntry(file, key);
    if (key.startsWith("tokenizer.") && entry) out[key] = entry;
  }
  if (!isGgufArray(out["tokenizer.ggml.tokens"]?.value))
    throw new Error(`${path} has no tokenizer.ggml.tokens`);
  return out;
}

export function tokenCount(tok: TokenizerMetadata): number {
  const tokens = tok["tokenizer.ggml.tokens"]?.value;
  if (!isGgufArray(tokens)) throw new Error("tokenizer has no tokens");
  return tokens.length;
}

function arrayValues(
  tok: TokenizerMetadata,
  key: string,
): { elementType: GgufValueType; values: GgufValue[] } | undefined {
  const v = tok[key]?.value;
  if (!isGgufArray(v)) return undefined;
  if (!v.values) throw new Error(`${key} was not read`);
  return { elementType: v.elementType, values: v.values };
}

const PER_TOKEN_KEYS = [
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.token_type",
  "tokenizer.ggml.scores",
] as const;

/**
 * Fits a tokenizer to a model's vocabulary size: pads with "[PADn]" user-defined tokens (as the
 * Qwen vocab does), or truncates, dropping merges and special ids that fall outside.
 */
export function resizeTokenizer(tok: TokenizerMetadata, size: number): TokenizerMetadata {
  const n = tokenCount(tok);
  if (n === size) return tok;
  const out: TokenizerMetadata = { ...tok };
  for (const key of PER_TOKEN_KEYS) {
    const arr = arrayValues(tok, key);
    if (!arr) continue;
    const values = arr.values.slice(0, size);
    for (let i = n; i < size; i++) {
      if (key === "tokenizer.ggml.tokens") values.push(`[PAD${i}]`);
      else if (key === "tokenizer.ggml.token_type") values.push(TokenType.USER_DEFINED);
      else values.push(0);
    }
    out[key] = typed.array(arr.elementType, values);
  }
  if (size < n) truncateRest(out, size);
  return out;
}

function truncateRest(out: TokenizerMetadata, size: number): void {
  const tokens = arrayValues(out, "tokenizer.ggml.tokens")?.values ?? [];
  const kept = new Set(tokens.filter((t): t is string => typeof t === "string"));
  const merges = arrayValues(out, "tokenizer.ggml.merges");
  if (merges) {
    const ok = merges.values.filter((m) => {
      if (typeof m !== "string") return false;
      const s = m;
      const sp = s.indexOf(" ", 1);
      return (
        kept.has(s.slice(0, sp)) && kept.has(s.slice(sp + 1)) && kept.has(s.slice(0, sp) + s.slice(sp + 1))
      );
    });
    out["tokenizer.ggml.merges"] = typed.array(merges.elementType, ok);
  }
  for (const key of Object.keys(out)) {
    const v = out[key]?.value;
    if (key.endsWith("_token_id") && typeof v === "number" && v >= size) delete out[key];
  }
}
