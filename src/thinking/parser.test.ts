import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createThinkingParser,
  promptEndsInThinking,
  type ThinkingOptions,
  type ThinkingPiece,
} from "./index.js";

interface Fed extends ThinkingPiece {
  steps: ThinkingPiece[];
}

function feed(pieces: readonly string[], options: ThinkingOptions = {}): Fed {
  const p = createThinkingParser(options);
  const fed: Fed = { thinking: "", content: "", steps: [] };
  for (const piece of [...pieces, null]) {
    const r = piece === null ? p.flush() : p.add(piece);
    fed.thinking += r.thinking;
    fed.content += r.content;
    fed.steps.push({ ...r });
  }
  return fed;
}

const chars = (s: string): string[] => [...s];

void describe("thinking parser", () => {
  const cases: [string, string, string, string][] = [
    ["tags with whitespace", "<think> internal </think> world", "internal ", "world"],
    ["only the first block", "<think>a</think><think>b</think>c", "a", "<think>b</think>c"],
    ["no tag", "no think", "", "no think"],
    ["no tag keeps leading whitespace", "  \n abc", "", "  \n abc"],
    ["whitespace before the tag", " \n<think>x</think>y", "x", "y"],
    ["whitespace after both tags", "<think>\n\n  plan\n</think>\n\n\nanswer", "plan\n", "answer"],
    ["a tag later in the text is content", "hi <think>x</think>", "", "hi <think>x</think>"],
    ["unclosed thinking", "<think>still going", "still going", ""],
    ["an empty block", "<think></think>done", "", "done"],
    ["a partial tag at the end", "<thi", "", "<thi"],
  ];
  for (const [name, text, thinking, content] of cases) {
    void it(name, () => {
      for (const pieces of [[text], chars(text)]) {
        const got = feed(pieces);
        assert.equal(got.thinking, thinking);
        assert.equal(got.content, content);
      }
    });
  }

  void it("never shows part of a tag", () => {
    const got = feed(chars("<think>abc</think>def"));
    for (const step of got.steps) {
      assert.ok(!/[<>]/.test(step.thinking + step.content), JSON.stringify(step));
    }
    assert.deepEqual(got.steps.map((s) => s.thinking).join(""), "abc");
  });

  void it("streams thinking before the closing tag arrives", () => {
    const p = createThinkingParser();
    assert.deepEqual(p.add("<think>Let me"), { thinking: "Let me", content: "" });
    assert.deepEqual(p.add(" see</th"), { thinking: " see", content: "" });
    assert.deepEqual(p.add("ink>\n"), { thinking: "", content: "" });
    assert.deepEqual(p.add("\nYes"), { thinking: "", content: "Yes" });
  });

  void it("releases a false closing tag as thinking", () => {
    const got = feed(chars("<think>a </thing> b</think>c"));
    assert.equal(got.thinking, "a </thing> b");
    assert.equal(got.content, "c");
  });

  void it("starts inside thinking when the prompt ends with the opening tag", () => {
    const got = feed(chars("\nreasoning</think>\n\nanswer"), { startsInside: true });
    assert.equal(got.thinking, "reasoning");
    assert.equal(got.content, "answer");
    assert.equal(promptEndsInThinking("<|im_start|>assistant\n<think>\n", "<think>"), true);
    assert.equal(promptEndsInThinking("<|im_start|>assistant\n", "<think>"), false);
    assert.equal(promptEndsInThinking("anything", ""), false);
  });

  void it("takes other tags", () => {
    const open = "<|begin_of_thought|>";
    const close = "<|end_of_thought|>";
    const got = feed(chars(`${open}hmm${close}ok`), { open, close });
    assert.deepEqual([got.thinking, got.content], ["hmm", "ok"]);
  });

  void it("reports whether it is inside thinking", () => {
    const p = createThinkingParser();
    assert.equal(p.inThinking, false);
    p.add("<think>x");
    assert.equal(p.inThinking, true);
    p.add("</think>y");
    assert.equal(p.inThinking, false);
  });
});
