import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHarmonyParser, type HarmonyPiece } from "./index.js";

function feed(pieces: readonly string[]): HarmonyPiece & { steps: HarmonyPiece[] } {
  const p = createHarmonyParser({ newId: () => "call_test" });
  const all = { thinking: "", content: "", calls: [] as HarmonyPiece["calls"], steps: [] as HarmonyPiece[] };
  for (const piece of [...pieces, null]) {
    const r = piece === null ? p.flush() : p.add(piece);
    all.thinking += r.thinking;
    all.content += r.content;
    all.calls.push(...r.calls);
    all.steps.push(r);
  }
  return all;
}

const both = (text: string) => {
  const whole = feed([text]);
  const chars = feed([...text]);
  assert.deepEqual(
    [chars.thinking, chars.content, chars.calls],
    [whole.thinking, whole.content, whole.calls],
  );
  for (const s of chars.steps) assert.ok(!(s.thinking + s.content).includes("<|"), JSON.stringify(s));
  return whole;
};

void describe("harmony parser", () => {
  void it("splits analysis from final", () => {
    const got = both(
      "<|channel|>analysis<|message|>User greets.<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>",
    );
    assert.deepEqual([got.thinking, got.content, got.calls], ["User greets.", "Hello!", []]);
  });

  void it("reads a tool call addressed to functions.NAME", () => {
    const got = both(
      '<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city": "Paris"}<|call|>',
    );
    assert.equal(got.thinking, "Need weather.");
    assert.deepEqual(got.calls, [
      { id: "call_test", function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } },
    ]);
  });

  void it("reads the recipient in the header before the channel", () => {
    const got = both(
      ' to=functions.get_weather<|channel|>commentary json<|message|>{"city": "Rome"}<|call|>',
    );
    assert.deepEqual(
      got.calls.map((c) => c.function.arguments),
      [{ city: "Rome" }],
    );
  });

  void it("reports calls to tools the request did not declare, as Ollama does; bad arguments are content", () => {
    const got = both('<|channel|>commentary to=browser.search<|message|>{"query": "x"}<|call|>');
    assert.deepEqual(
      got.calls.map((c) => [c.function.name, c.function.arguments]),
      [["browser.search", { query: "x" }]],
    );
    const bad = both("<|channel|>commentary to=functions.launch<|message|>not json<|call|>");
    assert.deepEqual([bad.content, bad.calls], ["not json", []]);
  });

  void it("treats output without harmony tokens as content", () => {
    assert.equal(both("Just text.").content, "Just text.");
  });

  void it("ends an unfinished message at flush", () => {
    const got = both("<|channel|>analysis<|message|>thinking still");
    assert.equal(got.thinking, "thinking still");
  });
});
