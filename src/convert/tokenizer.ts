/**
 * A Hugging Face checkpoint's tokenizer as GGUF's `tokenizer.*` keys, read as Ollama's converter
 * reads it: tokenizer.model (SentencePiece) when there is one, else tokenizer.json (byte-level
 * BPE, or WordPiece, which the BERT converter rewrites); special tokens from tokenizer_config.json
 * and generation_config.json.
 */
import { readSentencePiece } from "./sentencepiece.js";
import { TokenType } from "../gguf/index.js";
import { readOptionalJson, type SourceFiles } from "./source.js";

export interface Vocabulary {
  /** tokenizer.ggml.model: "llama" for SentencePiece, "gpt2" for byte-level BPE, "bert" for WordPiece. */
  model: "llama" | "gpt2" | "bert";
  tokens: string[];
  scores: number[];
  types: number[];
}

/** A special token kind as tokenizer_config.json names it (`bos_token`, `add_bos_token`). */
export type SpecialKind = "bos" | "eos" | "unk" | "sep" | "pad" | "cls" | "mask";

export interface SpecialToken {
  kind: SpecialKind;
  id: number;
  add: boolean;
  /** All the ids generation_config.json lists for the kind (Llama 3's several end tokens). */
  ids?: number[] | undefined;
}

export interface Tokenizer {
  vocab: Vocabulary;
  merges: string[];
  /** tokenizer.ggml.pre: which pre-tokenizer llama.cpp runs before BPE. */
  pre: string;
  /** tokenizer_config.json's chat template ("" when it has none). */
  template: string;
  specials: SpecialToken[];
}

const specialKinds: readonly SpecialKind[] = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];

/**
 * Split patterns of the pre-tokenizers llama.cpp knows by name. A tokenizer.json whose Split
 * patterns are none of these gets "default", as in Ollama (which tells them apart by a digest of
 * the same strings).
 */
const preTokenizers: ReadonlyArray<[string, string]> = [
  [
    "llama-bpe",
    String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  ],
  [
    "qwen2",
    String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  ],
];

interface TokenizerJson {
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  model?: { type?: string; vocab?: Record<string, number>; merges?: unknown };
  pre_tokenizer?: { pretokenizers?: Array<{ type?: string; pattern?: { Regex?: string } }> } | null;
}

export async function readTokenizer(files: SourceFiles): Promise<Tokenizer> {
  const spm = await files.read("tokenizer.model");
  const json = await readOptionalJson<TokenizerJson>(files, "tokenizer.json");
  let vocab: Vocabulary;
  if (spm)
    vocab = readSentencePiece(
      spm,
      await readOptionalJson<Record<string, number>>(files, "added_tokens.json"),
    );
  else if (json) vocab = vocabularyOf(json);
  else throw new Error("unknown tokenizer format");

  const added = new Map((json?.added_tokens ?? []).map((t) => [t.content, t.id]));
  const config = (await readOptionalJson<Record<string, unknown>>(files, "tokenizer_config.json")) ?? {};
  const generation = (await readOptionalJson<Record<string, unknown>>(files, "generation_config.json")) ?? {};
  return {
    vocab,
    merges: json ? mergesOf(json) : [],
    pre: json ? preTokenizerOf(json) : "default",
    template: templateOf(config),
    specials: specialsOf(config, generation, added),
  };
}

/** tokenizer.json's vocabulary in id order; added tokens override the model's own. */
function vocabularyOf(json: TokenizerJson): Vocabulary {
  // Unigram models (a list of scored pieces) ship a tokenizer.model; without one there is nothing
  // llama.cpp could run
  const vocabMap = json.model?.vocab;
  if (typeof vocabMap !== "object" || vocabMap === null || Array.isArray(vocabMap))
    throw new Error(`unsupported tokenizer.json model type "${json.model?.type ?? ""}"`);
  const byId = new Map<number, { content: string; type: number }>();
  for (const [content, id] of Object.entries(vocabMap)) byId.set(id, { content, type: TokenType.NORMAL });
  for (const t of json.added_tokens ?? [])
    byId.set(t.id, { content: t.content, type: t.special ? TokenType.CONTROL : TokenType.USER_DEFINED });
  const vocab: Vocabulary = { model: "gpt2", tokens: [], scores: [], types: [] };
  for (const id of [...byId.keys()].sort((a, b) => a - b)) {
    const t = byId.get(id) as { content: string; type: number };
    vocab.tokens.push(t.content);
    vocab.scores.push(id);
    vocab.types.push(t.type);
  }
  return vocab;
}

/** Merges as "a b" strings, whichever of the two spellings the file uses. */
function mergesOf(json: TokenizerJson): string[] {
  const merges = json.model?.merges;
  if (merges === undefined || merges === null) return [];
  if (!Array.isArray(merges)) throw new Error("could not parse tokenizer merges");
  return merges.map((m: unknown) => {
    if (typeof m === "string") return m;
    if (Array.isArray(m) && m.every((s) => typeof s === "string")) return m.join(" ");
    throw new Error("could not parse tokenizer merges. expected []string or [][]string");
  });
}

function preTokenizerOf(json: TokenizerJson): string {
  const pattern = (json.pre_tokenizer?.pretokenizers ?? [])
    .filter((p) => p.type === "Split" && p.pattern?.Regex)
    .map((p) => p.pattern?.Regex ?? "")
    .join("");
  return preTokenizers.find(([, p]) => p === pattern)?.[0] ?? "default";
}

/** A string template, or the one named "default" of a list of named templates. */
function templateOf(config: Record<string, unknown>): string {
  const t = config.chat_template;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    const named = t.find((e: unknown) => (e as { name?: unknown }).name === "default") as
      { template?: unknown } | undefined;
    return typeof named?.template === "string" ? named.template : "";
  }
  if (t !== undefined && t !== null) throw new Error("invalid chat_template");
  return "";
}

/**
 * Special tokens that tokenizer_config.json names and tokenizer.json lists among its added tokens;
 * generation_config.json may give a list of ids for one (Llama 3's several end tokens).
 */
function specialsOf(
  config: Record<string, unknown>,
  generation: Record<string, unknown>,
  added: Map<string, number>,
): SpecialToken[] {
  const out: SpecialToken[] = [];
  for (const kind of specialKinds) {
    const named = config[`${kind}_token`];
    const content =
      typeof named === "string" ? named : (named as { content?: unknown } | null | undefined)?.content;
    const id = typeof content === "string" ? added.get(content) : undefined;
    if (id === undefined) continue;
    const ids = generation[`${kind}_token_id`];
    out.push({
      kind,
      id,
      add: config[`add_${kind}_token`] === true,
      ids: Array.isArray(ids) && ids.every((n) => Number.isInteger(n)) ? (ids as number[]) : undefined,
    });
  }
  return out;
}
