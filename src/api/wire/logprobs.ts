/** Log-probabilities as Ollama writes them (api.Logprob), shared by /api and /v1. */
import type { Logprob, TokenLogprob } from "../../engine/types.js";

export interface WireTokenLogprob {
  token: string;
  logprob: number;
  /** The token text's UTF-8 bytes; left out for an empty text. */
  bytes?: number[];
}

export interface WireLogprob extends WireTokenLogprob {
  top_logprobs?: WireTokenLogprob[];
}

function tokenLogprob(t: TokenLogprob): WireTokenLogprob {
  const out: WireTokenLogprob = { token: t.token, logprob: t.logprob };
  if (t.token !== "") out.bytes = [...Buffer.from(t.token, "utf8")];
  return out;
}

export function wireLogprobs(logprobs: readonly Logprob[]): WireLogprob[] {
  return logprobs.map((l) => {
    const out: WireLogprob = tokenLogprob(l);
    if (l.top.length > 0) out.top_logprobs = l.top.map(tokenLogprob);
    return out;
  });
}
