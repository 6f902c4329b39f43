import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeToBuffer } from "./quant.js";
import { GgmlType, GgufValueType as T } from "./types.js";
import { writeGguf, type TensorToWrite, type WriteGgufOptions } from "./writer.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-writer-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tensor(name: string, rows: number): TensorToWrite {
  return {
    name,
    shape: [32, rows],
    type: GgmlType.Q8_0,
    fill: (out, start) => out.forEach((_, i) => (out[i] = Math.sin(start + i))),
  };
}

const options: WriteGgufOptions = {
  metadata: { "general.architecture": { type: T.STRING, value: "llama" } },
  tensors: [tensor("a", 7), tensor("b", 3)],
  chunkElements: 32,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("writeGguf with an encoder: chunks finishing in any order give the same file as encoding in place", async () => {
  await writeGguf(join(dir, "plain.gguf"), options);
  let n = 0;
  await writeGguf(join(dir, "pooled.gguf"), {
    ...options,
    encoder: {
      // earlier chunks take longer, so later ones finish first
      encode: async (type, src) => {
        await sleep(12 - 3 * (n++ % 4));
        return encodeToBuffer(type, src);
      },
      inFlight: 4,
    },
  });
  assert.deepEqual(await readFile(join(dir, "pooled.gguf")), await readFile(join(dir, "plain.gguf")));
});

test("writeGguf with an encoder that fails: the error comes back and no file (nor temporary) is left", async () => {
  let n = 0;
  const path = join(dir, "failed.gguf");
  await assert.rejects(
    writeGguf(path, {
      ...options,
      encoder: {
        encode: async (type, src) => {
          if (n++ === 2) throw new Error("encoder broke");
          await sleep(5);
          return encodeToBuffer(type, src);
        },
        inFlight: 3,
      },
    }),
    /encoder broke/,
  );
  assert.ok(!(await readdir(dir)).some((f) => f.startsWith("failed.gguf")));
});
