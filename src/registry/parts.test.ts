import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  decodePart,
  encodePart,
  loadParts,
  partialPath,
  removePartial,
  sidecarPath,
  writeSidecar,
} from "./parts.js";

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));

async function blobFile(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "tollama-parts-"));
  dirs.push(dir);
  return path.join(dir, `sha256-${"cd".repeat(32)}`);
}

describe("sidecars", () => {
  it("are written as Ollama's json.Encoder writes jsonBlobDownloadPart", () => {
    assert.equal(
      encodePart({ n: 2, offset: 200, size: 100, completed: 7 }),
      '{"N":2,"Offset":200,"Size":100,"Completed":7}\n',
    );
    assert.deepEqual(decodePart('{"N":2,"Offset":200,"Size":100,"Completed":7}\n'), {
      n: 2,
      offset: 200,
      size: 100,
      completed: 7,
    });
  });

  it("reject what cannot be trusted", () => {
    assert.equal(decodePart("{"), undefined);
    assert.equal(decodePart('{"N":0,"Offset":0,"Size":10,"Completed":11}'), undefined);
    assert.equal(decodePart('{"N":0,"Offset":-1,"Size":10,"Completed":1}'), undefined);
  });

  it("load only when they tile the data file", async () => {
    const file = await blobFile();
    assert.equal(await loadParts(file), undefined);
    await writeSidecar(file, { n: 0, offset: 0, size: 10, completed: 10 });
    await writeSidecar(file, { n: 1, offset: 10, size: 5, completed: 2 });
    assert.equal(await loadParts(file), undefined, "no data file yet");
    await fs.writeFile(partialPath(file), Buffer.alloc(15));
    assert.deepEqual(await loadParts(file), [
      { n: 0, offset: 0, size: 10, completed: 10 },
      { n: 1, offset: 10, size: 5, completed: 2 },
    ]);
    assert.equal(await loadParts(file, 16), undefined, "another size");
    await fs.writeFile(sidecarPath(file, 3), '{"N":3,"Offset":20,"Size":5,"Completed":0}\n');
    assert.equal(await loadParts(file), undefined, "a gap");
    await removePartial(file);
    assert.deepEqual(await fs.readdir(path.dirname(file)), []);
  });
});
