import { test } from "node:test";
import assert from "node:assert/strict";
import { summary } from "./stats.js";

void test("only the known metrics are printed", () => {
  assert.equal(summary({}), "");
  assert.equal(
    summary({ eval_count: 3, eval_duration: 1_000_000_000 }),
    "eval count:           3 token(s)\neval duration:        1s\neval rate:            3.00 tokens/s\n",
  );
});
