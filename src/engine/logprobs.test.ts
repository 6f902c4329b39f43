import { test } from "node:test";
import assert from "node:assert/strict";
import { LogprobReader, logprobsFrom } from "./logprobs.js";
import {
  logitReport,
  type LogitRequest,
  type NativeContext,
  type NativeSampler,
  type SamplerConfig,
} from "./native.js";

class ConfigSampler implements NativeSampler {
  disposed = false;
  constructor(readonly config: SamplerConfig) {}
  applyConfig(): void {}
  dispose(): void {
    this.disposed = true;
  }
}

/** The addon's readLogits over one fixed logit vector: greedy keeps every candidate, top-k the best k. */
function fakeNative(logits: number[]): Pick<NativeContext, "readLogits"> {
  return {
    readLogits(_index: number, sampler: NativeSampler, req: LogitRequest) {
      const { config } = sampler as ConfigSampler;
      let cands = logits.map((logit, token) => ({ token, logit }));
      if (config.temperature > 0) cands = [...cands].sort((a, b) => b.logit - a.logit).slice(0, config.topK);
      const picked = cands.reduce((a, b) => (b.logit > a.logit ? b : a));
      const max = picked.logit;
      const pairs: number[] = [];
      const wanted = req.picked ? [...req.tokens, picked.token] : req.tokens;
      for (const c of cands) if (wanted.includes(c.token)) pairs.push(c.token, c.logit);
      for (const c of cands.slice(0, req.top)) pairs.push(c.token, c.logit);
      const weight = cands.reduce((s, c) => s + Math.exp(c.logit - max), 0);
      return Promise.resolve(
        logitReport([picked.token, undefined, undefined, pairs, req.weight ? weight : undefined]),
      );
    },
  };
}

function logSoftmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const z = Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0)) + max;
  return logits.map((l) => l - z);
}

const LOGITS = [0.5, 3, -1, 2.5, 7, 1, 6.5];

test("the sampled token's log-probability is a log-softmax over every raw logit", async () => {
  const samplers: ConfigSampler[] = [];
  const reader = new LogprobReader((c) => {
    const s = new ConfigSampler(c);
    samplers.push(s);
    return s;
  }, 0);
  const expected = logSoftmax(LOGITS);
  const got = await reader.read(fakeNative(LOGITS) as NativeContext, 0, 3);
  assert.equal(got.token, 3);
  assert.ok(Math.abs(got.logprob - (expected[3] as number)) < 1e-9);
  assert.deepEqual(got.top, []);
  // no alternatives asked: only the greedy reader exists
  assert.equal(samplers.length, 1);
  reader.dispose();
  assert.ok(samplers.every((s) => s.disposed));
});

test("top alternatives come by raw logit, most likely first, on the same scale", async () => {
  const reader = new LogprobReader((c) => new ConfigSampler(c), 3);
  const expected = logSoftmax(LOGITS);
  const got = await reader.read(fakeNative(LOGITS) as NativeContext, 0, 0);
  assert.deepEqual(
    got.top.map((t) => t.token),
    [4, 6, 1],
  );
  for (const t of got.top) assert.ok(Math.abs(t.logprob - (expected[t.token] as number)) < 1e-9);
  assert.ok(Math.abs(got.logprob - (expected[0] as number)) < 1e-9);
});

test("logitReport drops repeated tokens and sorts by logit", () => {
  const r = logitReport([5, undefined, undefined, [1, 0.5, 5, 2, 1, 0.5], 3.25]);
  assert.deepEqual(r, {
    logits: [
      { token: 5, logit: 2 },
      { token: 1, logit: 0.5 },
    ],
    weight: 3.25,
  });
});

test("logprobsFrom with a single candidate gives log-probability 0", () => {
  const whole = { logits: [{ token: 2, logit: 4 }], weight: 1 };
  assert.deepEqual(logprobsFrom(2, whole, undefined, 0), { token: 2, logprob: 0, top: [] });
});
