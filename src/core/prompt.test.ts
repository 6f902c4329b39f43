// chatPrompt with a built-in renderer: the renderer, not tagImages, places the image tags.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { ResolvedModel } from "./models.js";
import { chatPrompt } from "./prompt.js";

test("chatPrompt: renderer models get Ollama's renderer image tags", () => {
  const model = { stored: { config: { renderer: "qwen3-vl-instruct" } } } as unknown as ResolvedModel;
  const out = chatPrompt(model, {
    messages: [{ role: "user", content: "Describe this image.", images: ["aW1n"] }],
    numCtx: 4096,
    truncate: false,
    tokenize: () => [],
  });
  assert.equal(out.imageCount, 1);
  assert.equal(
    out.prompt,
    "<|im_start|>user\n[img-0] Describe this image.<|im_end|>\n<|im_start|>assistant\n",
  );
});
