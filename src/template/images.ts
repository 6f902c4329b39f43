// Ollama's image tagging (server/prompt.go imageTaggedMessages): before rendering, each image of each
// message gets a marker in the text so the runner knows where its embedding goes. An `[img]` in the
// content is replaced by `[img-N]` (one per image, in order); without one, the tags are prefixed.

import type { TemplateMessage } from "./types.js";

export interface TaggedImages {
  /** Copies of the messages with tagged content (messages before `start` are unchanged). */
  messages: TemplateMessage[];
  /** Every image from `start` on, in tag order: images[N] belongs to [img-N]. */
  images: (Uint8Array | string)[];
}

export function tagImages(messages: TemplateMessage[], start = 0, clearImages = false): TaggedImages {
  const images: (Uint8Array | string)[] = [];
  const out = messages.map((m, i) => {
    if (i < start) return m;
    let prefix = "";
    let content = m.content;
    for (const img of m.images ?? []) {
      const tag = `[img-${images.length}]`;
      images.push(img);
      if (content.includes("[img]")) content = content.replace("[img]", tag);
      else prefix += tag;
    }
    const copy: TemplateMessage = { ...m, content: prefix + content };
    if (clearImages) delete copy.images;
    return copy;
  });
  return { messages: out, images };
}
