// Adds to node-llama-cpp's AddonContext.cpp, right after each context is created, a persistent ggml
// thread pool attached to it (llama_attach_threadpool), as llama-bench and llama-server use, when
// TOLLAMA_EXPERIMENT_THREADPOOL is set (its value: the pool's poll level, 0-100). Without one,
// ggml starts and joins its worker threads on every decode. Measurement only (bench/threadpool).
//   node patch-addon.mjs path/to/AddonContext.cpp
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: node patch-addon.mjs path/to/AddonContext.cpp");
let src = readFileSync(file, "utf8");
const MARK = "TOLLAMA_EXPERIMENT_THREADPOOL";
if (src.includes(MARK)) process.exit(0);

const anchor = "context->contextLoaded = context->ctx != nullptr;";
if (!src.includes(anchor)) throw new Error(`${file}: no "${anchor}" to patch after`);
const attach = `${anchor}
                if (context->contextLoaded && std::getenv("${MARK}") != nullptr) {
                    ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
                    ggml_backend_reg_t reg = cpu != nullptr ? ggml_backend_dev_backend_reg(cpu) : nullptr;
                    auto * newPool = reg != nullptr
                        ? (decltype(ggml_threadpool_new) *) ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new")
                        : nullptr;
                    if (newPool != nullptr) {
                        ggml_threadpool_params params;
                        ggml_threadpool_params_init(&params, context->context_params.n_threads);
                        params.poll = std::atoi(std::getenv("${MARK}"));
                        llama_attach_threadpool(context->ctx, newPool(&params), nullptr);
                        std::fprintf(stderr, "tollama experiment: ggml thread pool attached (%d threads, poll %u)\\n",
                            (int) context->context_params.n_threads, params.poll);
                    }
                }`;
src = src.replace(anchor, attach);
src = src.replace(
  '#include "llama.h"\n',
  '#include "llama.h"\n#include "ggml-backend.h"\n#include "ggml-cpu.h"\n#include <cstdio>\n#include <cstdlib>\n',
);
writeFileSync(file, src);
