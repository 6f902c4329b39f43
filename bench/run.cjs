#!/usr/bin/env node
"use strict";
// Launches a compiled benchmark (dist/bench/<name>.js) the way bin/tollama.cjs launches the
// server: UV_THREADPOOL_SIZE is set before any ESM code (and any file I/O) runs, so the direct
// node-llama-cpp baseline decodes under the same libuv pool setting as the server it is compared
// with. Usage: node bench/run.cjs serve|engine|threadpool|ab|quantize [options]
if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = "1";
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const name = process.argv[2];
if (!["serve", "engine", "threadpool", "ab", "quantize"].includes(name)) {
  console.error(
    "usage: node bench/run.cjs serve|engine|threadpool|ab|quantize [--quick] [--threads N] [--quant Q8_0|Q4_0] ...",
  );
  process.exit(2);
}
const entry = pathToFileURL(path.join(__dirname, "..", "dist", "bench", `${name}.js`)).href;
import(entry).then(
  (m) => m.main(process.argv.slice(3)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
