import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureModel } from "./cache.js";
import { readGguf, readTensorData } from "./reader.js";
import { requantize } from "./requantize.js";
import { planQuantization, quantizable } from "./quant-plan.js";
import { decodeTensor, isWritableType } from "./quant.js";
import { summarize } from "./info.js";
import { GgmlType } from "./types.js";

test("requantize Q8_0: weights in Q8_0, the rest as it was, metadata kept, values close", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollama-q8-"));
  try {
    const src = await ensureModel("tiny", { quant: "F16", cacheDir: dir });
    const out = join(dir, "q8.gguf");
    let progress = 0;
    await requantize(src, out, "Q8_0", (n) => (progress = n));
    const [a, b] = [await readGguf(src), await readGguf(out)];
    assert.ok(progress > 0);
    assert.equal(summarize(a).quantizationLevel, "F16");
    assert.equal(summarize(b).quantizationLevel, "Q8_0");
    assert.equal(b.metadata["general.quantization_version"], 2);
    for (const key of Object.keys(a.metadata).filter((k) => k !== "general.file_type"))
      assert.deepEqual(b.metadata[key], a.metadata[key], key);
    assert.deepEqual(b.tensors.map((t) => t.name).sort(), a.tensors.map((t) => t.name).sort());
    let compared = 0;
    for (const t of b.tensors) {
      const orig = a.tensors.find((o) => o.name === t.name)!;
      assert.deepEqual(t.shape, orig.shape);
      const want = quantizable(orig) && orig.shape[0]! % 32 === 0 ? GgmlType.Q8_0 : orig.type;
      assert.equal(t.type, want, t.name);
      if (t.type !== GgmlType.Q8_0 || compared > 3) continue;
      const x = decodeTensor(GgmlType.F16, await readTensorData(src, a, orig), orig.elements);
      const y = decodeTensor(GgmlType.Q8_0, await readTensorData(out, b, t), t.elements);
      const max = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let j = 0; j < x.length; j++)
        assert.ok(Math.abs(x[j]! - y[j]!) <= max / 127 + 1e-6, `${t.name}[${j}]`);
      compared++;
    }
    assert.ok(compared > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("requantize Q4_K_M: the planned types in llama.cpp's order, each matrix close to the original", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollama-q4km-"));
  try {
    const overrides = { embedding: 256, ffn: 512, layers: 4 };
    const src = await ensureModel("tiny", { quant: "F16", cacheDir: dir, overrides });
    const out = join(dir, "q4km.gguf");
    await requantize(src, out, "Q4_K_M");
    const [a, b] = [await readGguf(src), await readGguf(out)];
    assert.equal(summarize(b).quantizationLevel, "Q4_K_M");
    const plan = planQuantization(a, "Q4_K_M");
    assert.deepEqual(
      b.tensors.map((t) => [t.name, t.type]),
      plan.map((p) => [p.tensor.name, p.type]),
    );
    const types = new Set(b.tensors.map((t) => t.type));
    for (const want of [GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F32]) assert.ok(types.has(want), String(want));
    for (const t of b.tensors) {
      if (!isWritableType(t.type) || t.type === GgmlType.F32) continue;
      const orig = a.tensors.find((o) => o.name === t.name)!;
      const x = decodeTensor(GgmlType.F16, await readTensorData(src, a, orig), orig.elements);
      const y = decodeTensor(t.type, await readTensorData(out, b, t), t.elements);
      let err = 0;
      let sum = 0;
      for (let j = 0; j < x.length; j++) {
        err += (x[j]! - y[j]!) ** 2;
        sum += x[j]! ** 2;
      }
      // uniform random weights: about 0.09 for Q4_K, 0.02 for Q6_K
      assert.ok(Math.sqrt(err / sum) < 0.12, `${t.name}: ${Math.sqrt(err / sum)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
