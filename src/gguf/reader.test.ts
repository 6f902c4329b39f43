import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeTensor } from "./quant.js";
import { readGguf, readTensorData, shortestFloat32, typedEntry } from "./reader.js";
import { GgmlType, GgufValueType as T, ggufArray, type GgufTypedValue } from "./types.js";
import { writeGguf } from "./writer.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const METADATA: Record<string, GgufTypedValue> = {
  "general.architecture": { type: T.STRING, value: "llama" },
  "t.u8": { type: T.UINT8, value: 255 },
  "t.i8": { type: T.INT8, value: -128 },
  "t.u16": { type: T.UINT16, value: 65535 },
  "t.i16": { type: T.INT16, value: -32768 },
  "t.u32": { type: T.UINT32, value: 4294967295 },
  "t.i32": { type: T.INT32, value: -2147483648 },
  "t.f32": { type: T.FLOAT32, value: 0.1 },
  "t.bool": { type: T.BOOL, value: true },
  "t.string": { type: T.STRING, value: "héllo ✓ 🦙" },
  "t.u64": { type: T.UINT64, value: 2n ** 64n - 1n },
  "t.u64small": { type: T.UINT64, value: 123456789012 },
  "t.i64": { type: T.INT64, value: -(2n ** 63n) },
  "t.f64": { type: T.FLOAT64, value: Math.PI },
  "t.empty": { type: T.ARRAY, value: ggufArray(T.INT32, []) },
  "t.strings": { type: T.ARRAY, value: ggufArray(T.STRING, ["a", "", "ccc"]) },
  "t.floats": { type: T.ARRAY, value: ggufArray(T.FLOAT32, [1.5, 1e-6]) },
  "t.bools": { type: T.ARRAY, value: ggufArray(T.BOOL, [true, false]) },
  "t.u64s": { type: T.ARRAY, value: ggufArray(T.UINT64, [1, 2n ** 60n]) },
  "t.nested": {
    type: T.ARRAY,
    value: ggufArray(T.ARRAY, [ggufArray(T.UINT8, [1, 2]), ggufArray(T.STRING, ["x"])]),
  },
  "t.long": {
    type: T.ARRAY,
    value: ggufArray(
      T.STRING,
      Array.from({ length: 1000 }, (_, i) => `tok${i}`),
    ),
  },
  "t.after": { type: T.STRING, value: "still readable after skipped arrays" },
};

const ramp = (scale: number) => (out: Float32Array, start: number) => {
  for (let i = 0; i < out.length; i++) out[i] = ((start + i) % 97) * scale - 0.5;
};

async function writeSample(path: string, extra: Record<string, GgufTypedValue> = {}): Promise<void> {
  await writeGguf(path, {
    metadata: { ...METADATA, ...extra },
    tensors: [
      { name: "a.f32", shape: [3], type: GgmlType.F32, fill: ramp(0.01) },
      { name: "b.f16", shape: [64, 3], type: GgmlType.F16, fill: ramp(0.01) },
      { name: "c.q8", shape: [64, 5], type: GgmlType.Q8_0, fill: ramp(0.01) },
      { name: "d.q4", shape: [32, 2, 2], type: GgmlType.Q4_0, fill: ramp(0.01) },
    ],
    chunkElements: 64, // forces several fill calls per tensor
  });
}

test("metadata of every type round-trips through writer and reader", async () => {
  const path = join(dir, "all.gguf");
  await writeSample(path);
  const f = await readGguf(path);
  assert.equal(f.version, 3);
  assert.deepEqual(Object.keys(f.metadata), Object.keys(METADATA));
  for (const [key, { type, value }] of Object.entries(METADATA)) {
    assert.equal(f.metadataTypes[key], type, key);
    if (type === T.FLOAT32) assert.equal(f.metadata[key], 0.1, key);
    else if (key === "t.floats") assert.deepEqual(f.metadata[key], ggufArray(T.FLOAT32, [1.5, 1e-6]));
    else if (key === "t.u64small") assert.equal(f.metadata[key], 123456789012);
    else assert.deepEqual(f.metadata[key], value, key);
  }
  assert.deepEqual(typedEntry(f, "t.i8"), { type: T.INT8, value: -128 });
});

test("tensor infos, offsets and data round-trip", async () => {
  const path = join(dir, "tensors.gguf");
  await writeSample(path);
  const f = await readGguf(path);
  assert.equal(f.alignment, 32);
  assert.equal(f.dataOffset % 32, 0);
  assert.deepEqual(
    f.tensors.map((t) => [t.name, t.shape, t.type, t.offset, t.elements, t.size]),
    [
      ["a.f32", [3], GgmlType.F32, 0, 3, 12],
      ["b.f16", [64, 3], GgmlType.F16, 32, 192, 384],
      ["c.q8", [64, 5], GgmlType.Q8_0, 416, 320, 340],
      ["d.q4", [32, 2, 2], GgmlType.Q4_0, 768, 128, 72],
    ],
  );
  assert.equal(f.fileSize, f.dataOffset + 768 + 96); // last tensor padded to the alignment
  for (const t of f.tensors) {
    const expected = new Float32Array(t.elements);
    ramp(0.01)(expected, 0);
    const got = decodeTensor(t.type as 0, await readTensorData(path, f, t), t.elements);
    const tol = { 0: 1e-7, 1: 1e-3, 8: 0.005, 2: 0.05 }[t.type] ?? 0;
    for (let i = 0; i < t.elements; i++)
      assert.ok(Math.abs((got[i] ?? 0) - (expected[i] ?? 0)) <= tol, `${t.name}[${i}]`);
  }
});

test("arrays longer than maxArrayLength keep only length and element type", async () => {
  const path = join(dir, "skip.gguf");
  await writeSample(path);
  const f = await readGguf(path, { maxArrayLength: 2 });
  assert.deepEqual(f.metadata["t.long"], {
    kind: "array",
    elementType: T.STRING,
    length: 1000,
    values: undefined,
  });
  assert.deepEqual(f.metadata["t.strings"], {
    kind: "array",
    elementType: T.STRING,
    length: 3,
    values: undefined,
  });
  assert.deepEqual(f.metadata["t.bools"], ggufArray(T.BOOL, [true, false]));
  assert.deepEqual(f.metadata["t.nested"], METADATA["t.nested"]?.value);
  const one = await readGguf(path, { maxArrayLength: 1 });
  assert.deepEqual(one.metadata["t.nested"], {
    kind: "array",
    elementType: T.ARRAY,
    length: 2,
    values: undefined,
  });
  assert.equal(one.metadata["t.after"], "still readable after skipped arrays");
  assert.equal(f.metadata["t.after"], "still readable after skipped arrays");
  assert.equal(f.tensors.length, 4);
  const zero = await readGguf(path, { maxArrayLength: 0 });
  assert.deepEqual(zero.metadata["t.empty"], ggufArray(T.INT32, []));
  assert.equal(zero.dataOffset, f.dataOffset);
});

test("general.alignment moves tensor offsets and the data start", async () => {
  const path = join(dir, "align.gguf");
  await writeSample(path, { "general.alignment": { type: T.UINT32, value: 256 } });
  const f = await readGguf(path);
  assert.equal(f.alignment, 256);
  assert.equal(f.dataOffset % 256, 0);
  assert.deepEqual(
    f.tensors.map((t) => t.offset),
    [0, 256, 768, 1280],
  );
});

test("reads v2 files and rejects bad magic, v1 and truncation", async () => {
  const path = join(dir, "v2.gguf");
  await writeSample(path);
  const { readFile } = await import("node:fs/promises");
  const bytes = await readFile(path);
  bytes.writeUInt32LE(2, 4);
  await writeFile(path, bytes);
  assert.equal((await readGguf(path)).version, 2);
  const v1 = Buffer.from(bytes);
  v1.writeUInt32LE(1, 4);
  await writeFile(path, v1);
  await assert.rejects(readGguf(path), /version 1/);
  const bad = Buffer.from(bytes);
  bad.write("GGML", 0);
  await writeFile(path, bad);
  await assert.rejects(readGguf(path), /magic/);
  await writeFile(path, bytes.subarray(0, 200));
  await assert.rejects(readGguf(path), /end of GGUF file/);
});

test("writer rejects duplicate names, partial quant blocks and mistyped values", async () => {
  const path = join(dir, "bad.gguf");
  const fill = ramp(1);
  await assert.rejects(
    writeGguf(path, {
      metadata: {},
      tensors: [
        { name: "x", shape: [32], type: GgmlType.F32, fill },
        { name: "x", shape: [32], type: GgmlType.F32, fill },
      ],
    }),
    /duplicate/,
  );
  await assert.rejects(
    writeGguf(path, { metadata: {}, tensors: [{ name: "x", shape: [48, 2], type: GgmlType.Q8_0, fill }] }),
    /multiple of 32/,
  );
  await assert.rejects(
    writeGguf(path, { metadata: { k: { type: T.UINT32, value: "no" } }, tensors: [] }),
    /number/,
  );
});

test("shortestFloat32 prints float32 values the way Go's JSON does", () => {
  assert.equal(shortestFloat32(Math.fround(1e-6)), 1e-6);
  assert.equal(shortestFloat32(Math.fround(0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(1000000)), 1000000);
  assert.equal(shortestFloat32(Math.fround(10000.5)), 10000.5);
  assert.equal(shortestFloat32(Math.fround(1 / 3)), 0.33333334);
});
