// By-hand check, not part of CI: pull a ~1 GB blob through the fault proxy with a connection cut
// every 100 MB, using Ollama's default part sizing. Run after a build:
//   node dist/test/registry/big-pull.manual.js [bytes]
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { pullModel, pushModel } from "../../src/registry/index.js";
import { MEDIA_TYPES } from "../../src/store/index.js";
import { startRegistry } from "../helpers/registry.js";
import { startRegistryProxy } from "../helpers/registry-proxy.js";
import { tempStore } from "./fixtures.js";

const size = Number(process.argv[2] ?? 1024 ** 3);
const CUT = 100 * 1000 * 1000;

async function* randomData(total: number): AsyncGenerator<Buffer> {
  for (let left = total; left > 0; left -= 1 << 24) {
    // randomBytes' async form keeps the event loop free while 1 GB is generated.
    yield await new Promise<Buffer>((resolve, reject) =>
      randomBytes(Math.min(1 << 24, left), (err, buf) => (err ? reject(err) : resolve(buf))),
    );
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return `sha256:${hash.digest("hex")}`;
}

const registry = await startRegistry();
const proxy = await startRegistryProxy({ upstream: registry.url });
try {
  const source = await tempStore();
  const name = `${proxy.host}/tollama/big:latest`;
  const layer = (await source.createLayer(randomData(size), MEDIA_TYPES.model)).layer;
  await source.writeModel(name, { config: { model_format: "gguf" }, layers: [layer] });

  let t = Date.now();
  await pushModel(source, name, { insecure: true });
  console.log(`push of ${size} bytes: ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const target = await tempStore();
  proxy.resetStats();
  proxy.faults = { cutEveryBytes: CUT };
  t = Date.now();
  let verifyAt = 0;
  await pullModel(target, name, {
    insecure: true,
    onProgress: (p) => {
      if (p.status === "verifying sha256 digest") verifyAt = Date.now();
    },
  });
  const seconds = (Date.now() - t) / 1000;
  const onDisk = await sha256File(target.blobPath(layer.digest));
  console.log(
    JSON.stringify({
      bytes: size,
      seconds: Number(seconds.toFixed(1)),
      downloadSeconds: Number(((verifyAt - t) / 1000).toFixed(1)),
      mbPerSecond: Number((size / 1e6 / seconds).toFixed(1)),
      cuts: proxy.stats.cuts,
      bytesServedByProxy: proxy.stats.blobBytes,
      expected: layer.digest,
      onDisk,
      match: onDisk === layer.digest,
    }),
  );
  await fs.rm(source.root, { recursive: true, force: true });
  await fs.rm(target.root, { recursive: true, force: true });
} finally {
  await proxy.close();
  await registry.stop();
}
