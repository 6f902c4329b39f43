// Where one decode step's time goes through node-llama-cpp's addon, without tollama: decode alone,
// decode + sampling with tollama's default chain, decode + greedy sampling; per-step decode and
// sample times. It reaches addon internals, like src/engine/native.ts.
//   node step-probe.mjs MODEL.gguf GPU(0|1) [TOKENS=128] [THREADS=8] [SEQUENCES=1]
import { getLlama } from "node-llama-cpp";
const [path, gpu, ntok, threads] = [
  process.argv[2],
  process.argv[3] === "1",
  +(process.argv[4] ?? 128),
  +(process.argv[5] ?? 8),
];
const llama = await getLlama({
  gpu: gpu ? "auto" : false,
  maxThreads: threads,
  logLevel: "error",
  build: "never",
});
const model = await llama.loadModel({ modelPath: path, gpuLayers: gpu ? "max" : 0 });
const nseq = +(process.argv[6] ?? 1);
const ctx = await model.createContext({ contextSize: 4096 * nseq, sequences: nseq, batchSize: 512, threads });
const native = ctx._ctx;
const Sampler = llama._bindings.AddonSampler;
const mk = (cfg) => {
  const s = new Sampler(model._model);
  s.applyConfig(cfg);
  return s;
};
const modes = {
  bare: null,
  sampled: { temperature: 0.8, topK: 40, topP: 0.9, minP: 0, seed: 1 },
  greedy: { temperature: 0, topK: 1, topP: 1, minP: 0, seed: 1 },
};
const res = {};
for (let rep = 0; rep < 3; rep++)
  for (const [name, cfg] of Object.entries(modes)) {
    native.disposeSequence(0);
    const sampler = cfg && mk(cfg);
    let t = 100,
      tDec = 0,
      tSmp = 0;
    const t0 = performance.now();
    for (let i = 0; i < ntok; i++) {
      native.initBatch(1);
      const idx = native.addToBatch(0, i, Uint32Array.of(t), Uint32Array.of(0));
      const a = performance.now();
      await native.decodeBatch();
      const b = performance.now();
      if (sampler) t = await native.sampleToken(idx[0], sampler);
      else t = (t * 7 + 13) % 1000;
      tDec += b - a;
      tSmp += performance.now() - b;
    }
    const ms = performance.now() - t0;
    sampler?.dispose();
    (res[name] ??= []).push(
      `${((ntok * 1000) / ms).toFixed(1)} tok/s (decode ${(tDec / ntok).toFixed(3)} ms, sample ${(tSmp / ntok).toFixed(3)} ms)`,
    );
  }
for (const [k, v] of Object.entries(res)) console.log(`${gpu ? "gpu" : "cpu"} ${k}: ${v.join(" | ")}`);
process.exit(0);
