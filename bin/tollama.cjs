#!/usr/bin/env node
"use strict";
// node-llama-cpp runs every decode on libuv's thread pool. On few cores, decodes hopping between
// the default 4 pool threads cost milliseconds per token, so tollama uses one pool thread unless
// the user chose otherwise. libuv reads this once, when the pool first starts, so it must be set
// here, before any ESM module (and any file I/O) runs.
if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = "1";
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const entry = pathToFileURL(path.join(__dirname, "..", "dist", "src", "cli", "main.js")).href;
import(entry).then(
  (m) => m.main(process.argv.slice(2)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
