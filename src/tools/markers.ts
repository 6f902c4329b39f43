// The literal texts the streaming parser watches for, derived from the template's tag.

import { bareJsonTag } from "./tag.js";

/** Llama 3.x writes this special token before a call when it is rendered as text. */
const pythonTag = "<|python_tag|>";

export interface Markers {
  /** Texts that open a run of calls anywhere in the output. */
  open: string[];
  /** Texts that may follow calls and belong to them: closing tags, code fences. */
  close: string[];
}

/**
 * A tag ending in `[` (`[TOOL_CALLS] [`, `functools[`, "Action: ```json\n[") opens a JSON list: the
 * marker is the text before it, and the list is parsed as a value so both `[A] [` and `[A][` match.
 */
export function markersForTag(tag: string): Markers {
  const marker = tag === bareJsonTag || tag === "[" ? "" : tag.replace(/\[$/u, "").trim();
  const open = marker ? [marker] : [];
  if (!open.includes(pythonTag)) open.push(pythonTag);
  return { open, close: closersFor(marker) };
}

function closersFor(marker: string): string[] {
  const close = ["```"];
  const xml = /^<([A-Za-z_][\w.-]*)>$/u.exec(marker);
  if (xml) close.push(`</${xml[1]}>`);
  const bracket = /^\[([A-Za-z_][\w.-]*)\]$/u.exec(marker);
  if (bracket) close.push(`[/${bracket[1]}]`);
  // LFM2's <|tool_call_start|> ... <|tool_call_end|>
  const special = /^<\|([\w.-]*)start\|>$/u.exec(marker);
  if (special) close.push(`<|${special[1]}end|>`);
  return close;
}

/** The first marker occurrence in `text`, earliest position first, longest marker on ties. */
export function findMarker(
  text: string,
  markers: readonly string[],
): { at: number; marker: string } | undefined {
  let best: { at: number; marker: string } | undefined;
  for (const marker of markers) {
    const at = text.indexOf(marker);
    if (at < 0) continue;
    if (!best || at < best.at || (at === best.at && marker.length > best.marker.length))
      best = { at, marker };
  }
  return best;
}

/** Length of the longest end of `text` that could be the start of one of `markers`. */
export function heldSuffix(text: string, markers: readonly string[]): number {
  let held = 0;
  for (const marker of markers) {
    const max = Math.min(text.length, marker.length - 1);
    for (let n = max; n > held; n--) {
      if (text.endsWith(marker.slice(0, n))) {
        held = n;
        break;
      }
    }
  }
  return held;
}

/** Whether all of `text` is the beginning of one of `markers` (more text may complete it). */
export function isPrefixOfAny(text: string, markers: readonly string[]): boolean {
  return markers.some((m) => m.length > text.length && m.startsWith(text));
}
