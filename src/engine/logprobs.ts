/**
 * Log-probabilities of sampled tokens as Ollama reports them: a log-softmax over the model's raw
 * logits (before penalties, top-k, temperature or a grammar), and the most likely tokens by raw
 * logit. The addon only reports logits its sampler chain leaves in place, so two samplers of their
 * own read them: a greedy one, whose chain keeps every candidate as it is (the sampled token's
 * logit, the highest logit and the softmax's sum), and a top-k one for the alternatives.
 */
import type { LogitReport, NativeContext, NativeSampler, SamplerConfig } from "./native.js";

export interface RawTokenLogprob {
  token: number;
  logprob: number;
}

export interface RawLogprob extends RawTokenLogprob {
  /** The `top` most likely tokens at this position, most likely first; empty when none were asked. */
  top: RawTokenLogprob[];
}

/** What the batch loop asks for each sampled token's log-probability. */
export interface LogprobSource {
  read(native: NativeContext, index: number, token: number): Promise<RawLogprob>;
  dispose(): void;
}

export class LogprobReader implements LogprobSource {
  private readonly whole: NativeSampler;
  private readonly alternatives: NativeSampler | undefined;

  /** `top`: how many alternatives to report (Ollama's top_logprobs, 0-20). */
  constructor(
    newSampler: (config: SamplerConfig) => NativeSampler,
    private readonly top: number,
  ) {
    this.whole = newSampler({ temperature: 0, topK: 0, topP: 1, minP: 0, seed: 0 });
    this.alternatives =
      top > 0 ? newSampler({ temperature: 1, topK: top, topP: 1, minP: 0, seed: 0 }) : undefined;
  }

  /** Reads the logits at `index`, where `token` was sampled. */
  async read(native: NativeContext, index: number, token: number): Promise<RawLogprob> {
    const [whole, alternatives] = await Promise.all([
      native.readLogits(index, this.whole, { tokens: [token], picked: true, top: 0, weight: true }),
      this.alternatives
        ? native.readLogits(index, this.alternatives, {
            tokens: [],
            picked: false,
            top: this.top,
            weight: false,
          })
        : undefined,
    ]);
    return logprobsFrom(token, whole, alternatives, this.top);
  }

  dispose(): void {
    this.whole.dispose();
    this.alternatives?.dispose();
  }
}

/**
 * log p(t) = logit(t) - (max + ln Σ exp(logit - max)). `whole` holds the sampled token's logit and
 * the highest one (its pick) with the sum; `alternatives` the top logits.
 */
export function logprobsFrom(
  token: number,
  whole: LogitReport,
  alternatives: LogitReport | undefined,
  top: number,
): RawLogprob {
  const max = whole.logits[0]?.logit ?? 0;
  const norm = max + Math.log(whole.weight ?? 1);
  const logitOf = whole.logits.find((l) => l.token === token)?.logit ?? -Infinity;
  return {
    token,
    logprob: logitOf - norm,
    top: (alternatives?.logits ?? []).slice(0, top).map((l) => ({ token: l.token, logprob: l.logit - norm })),
  };
}
