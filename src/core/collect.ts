/** A whole answer from a completion's events, for the routes that reply once (stream:false). */
import type { Logprob } from "../engine/types.js";
import type { InferenceEvent } from "./inference.js";
import type { OutputPiece } from "./output.js";

export interface Collected {
  /** Every piece joined, in order. */
  piece: OutputPiece;
  /** Every log-probability, in order (empty unless asked for). */
  logprobs: Logprob[];
  /** The final event: done, or an early answer; undefined if there was none. */
  last: Exclude<InferenceEvent, { type: "piece" }> | undefined;
}

export async function collectEvents(events: AsyncIterable<InferenceEvent>): Promise<Collected> {
  const piece: OutputPiece = { content: "", thinking: "", toolCalls: [] };
  const logprobs: Logprob[] = [];
  let last: Collected["last"];
  for await (const ev of events) {
    if (ev.type !== "piece") {
      last = ev;
      continue;
    }
    piece.content += ev.piece.content;
    piece.thinking += ev.piece.thinking;
    piece.toolCalls.push(...ev.piece.toolCalls);
    if (ev.logprobs) logprobs.push(...ev.logprobs);
  }
  return { piece, logprobs, last };
}
