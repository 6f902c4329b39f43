import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureModel } from "./cache.js";
import { readGguf, readTensorData, type GgufTensorInfo } from "./reader.js";
import { quantizable, quantizeToQ8_0 } from "./requantize.js";
import { decodeTensor } from "./quant.js";
import { summarize } from "./info.js";
import { GgmlType } from "./types.js";

const info = (name: string, shape: number[]) =>
  ({ name, shape, type: GgmlType.F16, offset: 0, elements: 0, size: 0 }) as GgufTensorInfo;

test("quantizable: the tensors llama-quantize quantizes", () => {
  assert.equal(quantizable(info("blk.0.attn_q.weight", [64, 64])), true);
  assert.equal(quantizable(info("token_embd.weight", [64, 1000])), true);
  assert.equal(quantizable(info("output.weight", [64, 1000])), true);
  assert.equal(quantizable(info("blk.0.attn_norm.weight", [64])), false);
  assert.equal(quantizable(info("blk.0.attn_q.bias", [64])), false);
  assert.equal(quantizable(info("blk.0.ffn_gate_inp.weight", [64, 8])), false);
  assert.equal(quantizable(info("position_embd.weight", [64, 512])), false);
  assert.equal(quantizable(info("blk.0.ssm_conv1d.weight", [4, 64])), false);
  assert.equal(quantizable(info("blk.0.attn_q.weight", [64, 1, 1])), false);
});

test("quantizeToQ8_0: weights in Q8_0, the rest as it was, metadata kept, values close", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tollama-q8-"));
  try {
    const src = await ensureModel("tiny", { quant: "F16", cacheDir: dir });
    const out = join(dir, "q8.gguf");
    let progress = 0;
    await quantizeToQ8_0(src, out, (n) => (progress = n));
    const [a, b] = [await readGguf(src), await readGguf(out)];
    assert.ok(progress > 0);
    assert.equal(summarize(a).quantizationLevel, "F16");
    assert.equal(summarize(b).quantizationLevel, "Q8_0");
    assert.equal(b.metadata["general.quantization_version"], 2);
    for (const key of Object.keys(a.metadata).filter((k) => k !== "general.file_type"))
      assert.deepEqual(b.metadata[key], a.metadata[key], key);
    assert.deepEqual(
      b.tensors.map((t) => t.name),
      a.tensors.map((t) => t.name),
    );
    let compared = 0;
    for (const [i, t] of b.tensors.entries()) {
      const orig = a.tensors[i]!;
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
