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
// A hung test fails after 3 minutes instead of holding CI to its limit, and a file whose tests
// are done exits even if a socket or timer it forgot to close would keep it alive.
const args = ["--test", "--test-concurrency=1", "--test-timeout=180000", "--test-force-exit", ...files];
const res = spawnSync(process.execPath, args, { stdio: "inherit", env });
process.exit(res.status ?? 1);
