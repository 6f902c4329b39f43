// Creating a model from a Hugging Face safetensors checkpoint, as `ollama create` does for a folder:
// checkpoints written from generated F16 models convert back to the same tensors, and a server
// creates, shows and runs them like the GGUF they came from.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import {
  SHARED_MODELS_DIR,
  isGgufArray,
  presetSpec,
  readGguf,
  readTensorData,
  writeRandomModel,
  type ModelArch,
} from "../src/gguf/index.js";
import { convertAdapter, convertCheckpoint, readSafetensors } from "../src/convert/index.js";
import { f16ToF32 } from "../src/gguf/index.js";
import {
  safetensors,
  writeBertCheckpoint,
  writeLora,
  writeCheckpoint,
  writeSyntheticCheckpoint,
  type SyntheticKind,
} from "./helpers/checkpoint.js";
import { addModel, startServer, type TestServer } from "./helpers/server.js";

let scratch: string;
const models: Partial<Record<ModelArch, string>> = {};

/** A small F16 model of `arch` (llama without biases, qwen2 with, qwen3 with q/k norms). */
async function model(arch: ModelArch): Promise<string> {
  const path = join(scratch, `${arch}.gguf`);
  await writeRandomModel(
    path,
    presetSpec("tiny", {
      arch,
      quant: "F16",
      qkvBias: arch === "qwen2",
      tiedEmbeddings: arch !== "llama",
      seed: 7,
    }),
  );
  return path;
}

async function checkpoint(gguf: string, name: string, split = false): Promise<Map<string, string>> {
  const dir = join(scratch, name);
  const files = await writeCheckpoint(gguf, dir, { split });
  return new Map(files.map((f) => [f, join(dir, f)]));
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tollama-convert-"));
  for (const arch of ["llama", "qwen2", "qwen3"] as const) models[arch] = await model(arch);
});
after(() => rm(scratch, { recursive: true, force: true }));

describe("converting a checkpoint gives back the model's tensors", () => {
  for (const arch of ["llama", "qwen2", "qwen3"] as const) {
    test(arch, async () => {
      const source = models[arch] as string;
      const out = join(scratch, `${arch}-converted.gguf`);
      await convertCheckpoint(await checkpoint(source, `${arch}-hf`, arch === "llama"), out, 1);
      const [a, b] = [await readGguf(source), await readGguf(out)];
      assert.equal(b.metadata["general.architecture"], arch);
      assert.equal(b.metadata["general.file_type"], 1);
      assert.equal(b.metadata["tokenizer.ggml.model"], "gpt2");
      assert.equal(b.metadata["tokenizer.ggml.pre"], "qwen2");
      for (const key of ["block_count", "embedding_length", "feed_forward_length", "attention.head_count_kv"])
        assert.equal(b.metadata[`${arch}.${key}`], a.metadata[`${arch}.${key}`], key);
      for (const key of [
        "tokenizer.ggml.eos_token_id",
        "tokenizer.ggml.bos_token_id",
        "tokenizer.chat_template",
      ])
        assert.equal(b.metadata[key], a.metadata[key], key);
      assert.deepEqual(b.tensors.map((t) => t.name).sort(), a.tensors.map((t) => t.name).sort());
      for (const t of a.tensors) {
        const c = b.tensors.find((x) => x.name === t.name);
        assert.ok(c, t.name);
        assert.deepEqual(c.shape, t.shape, t.name);
        assert.equal(c.type, t.type, t.name);
        const same = (await readTensorData(source, a, t)).equals(await readTensorData(out, b, c));
        assert.ok(same, `${t.name} differs`);
      }
    });
  }
});

const spmVocab = join(SHARED_MODELS_DIR, "ggml-vocab-llama-spm.gguf");

/** A SentencePiece ModelProto holding the pieces of a GGUF's "llama" vocabulary. */
function sentencePieceModel(tokens: string[], scores: number[], types: number[]): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return Buffer.from(out);
  };
  const bytes = (field: number, data: Buffer) =>
    Buffer.concat([varint(field * 8 + 2), varint(data.length), data]);
  return Buffer.concat(
    tokens.map((text, i) => {
      const score = Buffer.alloc(5);
      score[0] = 2 * 8 + 5;
      score.writeFloatLE(scores[i] ?? 0, 1);
      const type = Buffer.concat([varint(3 * 8), varint(types[i] ?? 1)]);
      return bytes(1, Buffer.concat([bytes(1, Buffer.from(text)), score, type]));
    }),
  );
}

test(
  "a SentencePiece tokenizer.model converts to the vocabulary llama.cpp's own converter wrote",
  { skip: !existsSync(spmVocab) && `${spmVocab} is absent` },
  async () => {
    const gguf = join(scratch, "spm.gguf");
    await writeRandomModel(
      gguf,
      presetSpec("tiny", {
        arch: "llama",
        quant: "F16",
        qkvBias: false,
        tokenizer: { kind: "gguf", path: spmVocab },
      }),
    );
    const vocab = await readGguf(spmVocab);
    const list = (key: string) => {
      const v = vocab.metadata[key];
      return isGgufArray(v) ? (v.values as never[]) : [];
    };
    const spm = sentencePieceModel(
      list("tokenizer.ggml.tokens"),
      list("tokenizer.ggml.scores"),
      list("tokenizer.ggml.token_type"),
    );
    const dir = join(scratch, "spm-hf");
    const names = await writeCheckpoint(gguf, dir, { extra: { "tokenizer.model": spm } });
    const out = join(scratch, "spm-converted.gguf");
    await convertCheckpoint(new Map(names.map((n) => [n, join(dir, n)])), out, 1);
    const converted = await readGguf(out);
    assert.equal(converted.metadata["tokenizer.ggml.model"], "llama");
    for (const key of ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) {
      const [a, b] = [vocab.metadata[key], converted.metadata[key]];
      assert.ok(isGgufArray(a) && isGgufArray(b));
      assert.deepEqual(b.values, a.values, key);
    }
    assert.equal(converted.metadata["tokenizer.ggml.bos_token_id"], 1);
    assert.equal(converted.metadata["tokenizer.ggml.eos_token_id"], 2);
    assert.equal(converted.metadata["tokenizer.ggml.add_bos_token"], true);
  },
);

describe("/api/create from safetensors", () => {
  let server: TestServer;
  const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

  /** Uploads the checkpoint's files as blobs; returns the `files` map of a create request. */
  async function upload(files: Map<string, string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, path] of files) {
      const data = await readFile(path);
      const res = await fetch(`${server.url}/api/blobs/${sha(data)}`, { method: "POST", body: data });
      assert.ok(res.status === 201 || res.status === 200, `upload ${res.status}`);
      out[name] = sha(data);
    }
    return out;
  }

  async function create(body: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const res = await fetch(`${server.url}/api/create`, { method: "POST", body: JSON.stringify(body) });
    const text = await res.text();
    return text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async function generate(model: string): Promise<string> {
    const res = await fetch(`${server.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({
        model,
        prompt: "Hello there",
        raw: true,
        stream: false,
        options: { temperature: 0, seed: 1, num_predict: 12 },
      }),
    });
    const body = (await res.json()) as { response?: string; error?: string };
    assert.equal(res.status, 200, body.error);
    return body.response ?? "";
  }

  async function convertSynthetic(kind: SyntheticKind): Promise<string> {
    const dir = join(scratch, `${kind}-hf`);
    const names = await writeSyntheticCheckpoint(dir, kind, models.qwen2 as string);
    const out = join(scratch, `${kind}.gguf`);
    await convertCheckpoint(new Map(names.map((n) => [n, join(dir, n)])), out, 1);
    return out;
  }

  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  for (const arch of ["qwen2", "llama"] as const) {
    test(`a ${arch} checkpoint becomes an F16 model that answers as the GGUF it came from`, async () => {
      const files = await upload(await checkpoint(models[arch] as string, `${arch}-api`));
      const progress = await create({ model: `converted-${arch}`, files });
      const statuses = progress.map((p) => p.status ?? p.error);
      assert.equal(statuses[0], "converting model");
      assert.ok(statuses.some((s) => typeof s === "string" && s.startsWith("creating new layer sha256:")));
      assert.deepEqual(statuses.slice(-2), ["writing manifest", "success"]);

      const show = await fetch(`${server.url}/api/show`, {
        method: "POST",
        body: JSON.stringify({ model: `converted-${arch}` }),
      });
      const details = ((await show.json()) as { details: Record<string, unknown> }).details;
      assert.equal(details.family, arch);
      assert.equal(details.format, "gguf");
      assert.equal(details.quantization_level, "F16");

      await addModel(server, `original-${arch}`, { gguf: models[arch] as string });
      assert.equal(await generate(`converted-${arch}`), await generate(`original-${arch}`));
    });
  }

  test("with quantize, the converted model is quantized too", async () => {
    const files = await upload(await checkpoint(models.llama as string, "llama-api"));
    const progress = await create({ model: "converted-q8", files, quantize: "q8_0" });
    const statuses = progress.map((p) => p.status ?? p.error);
    assert.ok(statuses.includes("quantizing F16 model to Q8_0"), JSON.stringify(statuses));
    assert.equal(statuses.at(-1), "success");
    const show = await fetch(`${server.url}/api/show`, { method: "POST", body: '{"model":"converted-q8"}' });
    const details = ((await show.json()) as { details: Record<string, unknown> }).details;
    assert.equal(details.family, "llama");
    assert.equal(details.quantization_level, "Q8_0");
    assert.ok((await generate("converted-q8")).length > 0);
  });

  test("Gemma 1, 2 and 3 checkpoints convert with their norms made whole, and llama.cpp runs them", async () => {
    for (const [kind, norms] of [
      ["gemma", 5],
      ["gemma2", 9],
      ["gemma3", 13],
    ] as const) {
      const out = await convertSynthetic(kind);
      const gguf = await readGguf(out);
      assert.equal(gguf.metadata["general.architecture"], kind);
      assert.equal(gguf.metadata[`${kind}.attention.key_length`], 32);
      const normTensors = gguf.tensors.filter((t) => t.name.endsWith("_norm.weight"));
      assert.equal(normTensors.length, norms);
      for (const t of normTensors) {
        const values = new Float32Array((await readTensorData(out, gguf, t)).buffer.slice(0));
        assert.ok(
          values.every((v) => v === 1.5),
          `${t.name} holds ${values[0]}`,
        );
      }
      await addModel(server, kind, { gguf: out });
      assert.equal(typeof (await generate(kind)), "string");
    }
  });

  test("a multimodal Gemma 3 checkpoint converts to its language model", async () => {
    const out = await convertSynthetic("gemma3-vision");
    const gguf = await readGguf(out);
    assert.equal(gguf.metadata["general.architecture"], "gemma3");
    assert.equal(gguf.metadata["gemma3.embedding_length"], 64);
    assert.equal(gguf.metadata["gemma3.rope.freq_base"], 1e6, "Gemma3TextConfig's default");
    const names = gguf.tensors.map((t) => t.name);
    assert.ok(names.includes("token_embd.weight") && names.includes("blk.1.attn_k_norm.weight"));
    assert.ok(!names.some((n) => n.includes("vision") || n.startsWith("mm")), names.join());
    await addModel(server, "gemma3-vision", { gguf: out });
    assert.equal(typeof (await generate("gemma3-vision")), "string");
  });

  test("a long-context Phi-3 checkpoint converts with its fused projections and rope factors", async () => {
    const out = await convertSynthetic("phi3");
    const gguf = await readGguf(out);
    assert.equal(gguf.metadata["general.architecture"], "phi3");
    assert.equal(gguf.metadata["phi3.rope.scaling.original_context_length"], 4096);
    assert.ok((gguf.metadata["phi3.rope.scaling.attn_factor"] as number) > 1);
    const names = gguf.tensors.map((t) => t.name);
    for (const name of [
      "rope_factors_long.weight",
      "rope_factors_short.weight",
      "blk.0.attn_qkv.weight",
      "blk.1.ffn_up.weight",
    ])
      assert.ok(names.includes(name), name);
    assert.deepEqual(gguf.tensors.find((t) => t.name === "blk.0.ffn_up.weight")?.shape, [64, 256]);
    await addModel(server, "phi3", { gguf: out });
    assert.equal(typeof (await generate("phi3")), "string");
  });

  test("a sentence-transformers BERT checkpoint becomes an embedding model", async () => {
    const dir = join(scratch, "bert-hf");
    const files = await upload(new Map((await writeBertCheckpoint(dir)).map((n) => [n, join(dir, n)])));
    const progress = await create({ model: "bert-converted", files });
    assert.equal(progress.at(-1)?.status, "success", JSON.stringify(progress.at(-1)));

    const show = await fetch(`${server.url}/api/show`, {
      method: "POST",
      body: JSON.stringify({ model: "bert-converted", verbose: true }),
    });
    const info = ((await show.json()) as { model_info: Record<string, unknown> }).model_info;
    assert.equal(info["general.architecture"], "bert");
    assert.equal(info["bert.pooling_type"], 1);
    assert.equal(info["tokenizer.ggml.model"], "bert");
    const tokens = info["tokenizer.ggml.tokens"] as string[];
    assert.deepEqual(tokens.slice(0, 7), [
      "[PAD]",
      "[UNK]",
      "[CLS]",
      "[SEP]",
      "[MASK]",
      "\u2581hello",
      "\u2581world",
    ]);
    assert.ok(tokens.includes("s") && tokens.includes("ing"), "continuations lose their ##");

    const res = await fetch(`${server.url}/api/embed`, {
      method: "POST",
      body: JSON.stringify({ model: "bert-converted", input: ["hello world", "the embedding model"] }),
    });
    const body = (await res.json()) as { embeddings?: number[][]; error?: string };
    assert.equal(res.status, 200, body.error);
    assert.equal(body.embeddings?.length, 2);
    assert.equal(body.embeddings?.[0]?.length, 32);
  });

  test("ADAPTER from a PEFT folder: converted for the base model and applied when it runs", async () => {
    const baseDir = join(scratch, "api-lora-base");
    await writeCheckpoint(models.llama as string, baseDir);
    const lora = join(scratch, "api-lora");
    const { files } = await writeLora(baseDir, lora, 4, 8);
    await addModel(server, "lora-base", { gguf: models.llama as string });
    const adapters = await upload(new Map(files.map((n) => [n, join(lora, n)])));
    const progress = await create({ model: "lora-tuned", from: "lora-base", adapters });
    const statuses = progress.map((p) => p.status ?? p.error);
    assert.ok(statuses.includes("converting adapter"), JSON.stringify(statuses));
    assert.equal(statuses.at(-1), "success");
    const show = await fetch(`${server.url}/api/show`, { method: "POST", body: '{"model":"lora-tuned"}' });
    const modelfile = ((await show.json()) as { modelfile: string }).modelfile;
    assert.match(modelfile, /^ADAPTER /m);
    assert.notEqual(
      await generate("lora-tuned"),
      await generate("lora-base"),
      "the adapter changes the answer",
    );

    // an adapter needs a model to adapt
    const bad = await create({ model: "lora-alone", files: adapters });
    assert.ok(bad.at(-1)?.error, JSON.stringify(bad.at(-1)));
  });

  test("a checkpoint it cannot convert ends with Ollama's error line", async () => {
    const files = await checkpoint(models.qwen2 as string, "broken");
    const config = files.get("config.json") as string;
    await writeFile(config, JSON.stringify({ architectures: ["GPT2LMHeadModel"] }));
    let progress = await create({ model: "broken", files: await upload(files) });
    assert.deepEqual(progress.at(-1), { error: 'unsupported architecture "GPT2LMHeadModel"' });

    files.delete("config.json");
    progress = await create({ model: "broken", files: await upload(files) });
    assert.deepEqual(progress.at(-1), { error: "open config.json: file does not exist" });
  });
});

test("a PEFT LoRA converts to llama.cpp's layout: B·A adds what merging it into the checkpoint adds", async () => {
  const baseDir = join(scratch, "lora-base");
  const baseNames = await writeCheckpoint(models.llama as string, baseDir);
  const { files, merged } = await writeLora(baseDir, join(scratch, "lora"), 4, 8);

  // the same checkpoint with the adapter merged in, converted as a model
  const mergedDir = join(scratch, "lora-merged");
  await mkdir(mergedDir, { recursive: true });
  const base = await readSafetensors(join(baseDir, "model.safetensors"));
  const baseData = await readFile(join(baseDir, "model.safetensors"));
  const entries = base.map((t) => {
    const w = merged.get(t.name);
    if (w) return { name: t.name, dtype: "F32", shape: t.shape, data: Buffer.from(w.buffer) };
    return {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      data: baseData.subarray(t.offset, t.offset + t.size),
    };
  });
  for (const name of baseNames)
    if (name !== "model.safetensors")
      await writeFile(join(mergedDir, name), await readFile(join(baseDir, name)));
  await writeFile(join(mergedDir, "model.safetensors"), safetensors(entries));
  const mergedGguf = join(scratch, "lora-merged.gguf");
  await convertCheckpoint(new Map(baseNames.map((n) => [n, join(mergedDir, n)])), mergedGguf, 1);

  const loraGguf = join(scratch, "lora.gguf");
  const meta = (await readGguf(models.llama as string)).metadata;
  const heads = {
    headCount: Number(meta["llama.attention.head_count"]),
    headCountKv: Number(meta["llama.attention.head_count_kv"]),
  };
  await convertAdapter(
    new Map(files.map((n) => [n, join(scratch, "lora", n)])),
    loraGguf,
    { architecture: "llama", ...heads },
    1,
  );

  const [baseFile, mergedFile, lora] = await Promise.all([
    readGguf(models.llama as string),
    readGguf(mergedGguf),
    readGguf(loraGguf),
  ]);
  assert.equal(lora.metadata["general.type"], "adapter");
  assert.equal(lora.metadata["adapter.type"], "lora");
  assert.equal(lora.metadata["adapter.lora.alpha"], 8);
  const f32 = async (path: string, file: typeof lora, name: string) => {
    const t = file.tensors.find((x) => x.name === name);
    assert.ok(t, name);
    const bytes = await readTensorData(path, file, t);
    if (t.type === 0)
      return {
        shape: t.shape,
        values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
      };
    return {
      shape: t.shape,
      values: Float32Array.from({ length: bytes.length / 2 }, (_, i) => f16ToF32(bytes.readUInt16LE(2 * i))),
    };
  };
  let checked = 0;
  for (const name of mergedFile.tensors
    .map((t) => t.name)
    .filter((n) => /attn_(q|k|v|output)\.weight$/.test(n))) {
    const [w0, w1] = [
      await f32(models.llama as string, baseFile, name),
      await f32(mergedGguf, mergedFile, name),
    ];
    const [a, b] = [await f32(loraGguf, lora, `${name}.lora_a`), await f32(loraGguf, lora, `${name}.lora_b`)];
    const [cols, rows] = w0.shape as [number, number];
    const rank = a.shape[1] as number;
    assert.deepEqual(a.shape, [cols, rank], `${name} lora_a`);
    assert.deepEqual(b.shape, [rank, rows], `${name} lora_b`);
    let worst = 0;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        let sum = 0;
        for (let k = 0; k < rank; k++)
          sum += (b.values[r * rank + k] as number) * (a.values[k * cols + c] as number);
        const added = (w1.values[r * cols + c] as number) - (w0.values[r * cols + c] as number);
        worst = Math.max(worst, Math.abs(added - 2 * sum));
      }
    assert.ok(worst < 2e-3, `${name}: B·A is off by ${worst}`);
    checked++;
  }
  assert.equal(checked, 8);
});
