// Runs every compiled test file (unit tests beside the code, integration tests under test/) in one
// node:test run. Files run one at a time: the integration tests load llama.cpp models, and two
// model-loading processes on a 2-core machine oversubscribe the CPU and crawl.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...findTests("dist/src"), ...findTests("dist/test")].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((s) => f.includes(s)));
// One pool thread, as bin/tollama.cjs gives the server: decodes and samplings then queue back to back.
const env = { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? "1" };
// A hung test fails after 3 minutes instead of holding CI to its limit. No --test-force-exit: on
// Node 20 it sometimes ends a file between two awaited subtests, and the file still reports success
// with its remaining tests never run (seen here on src/template/jinja.test.js, 2 runs in 12). A file
// that a forgotten socket or timer keeps alive instead trips the whole run's limit below and fails.
const args = ["--test", "--test-concurrency=1", "--test-timeout=180000", ...files];
const limitMs = 40 * 60_000; // the whole suite takes about 2 minutes on two cores
const res = spawnSync(process.execPath, args, {
  stdio: "inherit",
  env,
  timeout: limitMs,
  killSignal: "SIGKILL",
});
if (res.error) console.error(`test run stopped: ${res.error.message} (limit ${limitMs / 60_000} minutes)`);
process.exit(res.status ?? 1);
