// Child process for the kill -9 test: pulls argv[3] into the store at argv[2] and never returns
// on its own while the proxy stalls it.
import { pullModel } from "../../src/registry/index.js";
import { createStore } from "../../src/store/index.js";
import { FAST } from "./fixtures.js";

const [root = "", name = ""] = process.argv.slice(2);
await pullModel(createStore({ root }), name, { insecure: true, tuning: { ...FAST, stallTimeoutMs: 60_000 } });
