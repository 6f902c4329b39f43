#!/usr/bin/env bash
# Builds, once, a copy of node-llama-cpp's addon with a ggml thread pool attached to each context
# (bench/threadpool/patch-addon.mjs), CPU only, from the llama.cpp source that bench/build-llama.sh
# unpacked (the commit node-llama-cpp ships), and sets up an app folder that runs this checkout's
# compiled tollama over it. Nothing here touches ./node_modules. About 10 minutes on 2 cores.
#   bash bench/threadpool/build.sh        (then: npm run build && node bench/run.cjs threadpool)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${TOLLAMA_BENCH_CACHE:-$HOME/.cache/tollama-bench}"
bundle="$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle"
commit="$(git bundle list-heads "$bundle" | cut -c1-7)"
src="$CACHE/llama.cpp-$commit/src"
[ -d "$src" ] || { echo "no llama.cpp source at $src: run bench/build-llama.sh first" >&2; exit 1; }
work="$CACHE/nlc-threadpool"
nlc="$work/node_modules/node-llama-cpp"
if [ ! -d "$nlc/llama/localBuilds" ]; then
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$ROOT/node_modules" "$work/"
  ln -s "$src" "$nlc/llama/llama.cpp"
  node "$ROOT/bench/threadpool/patch-addon.mjs" "$nlc/llama/addon/AddonContext.cpp"
  # node-llama-cpp prefers a local build over its prebuilt binaries when both exist.
  node "$nlc/dist/cli/cli.js" source build --gpu false --noUsageExample
fi
app="$work/app"
rm -rf "$app"
mkdir -p "$app"
cp -r "$ROOT/bin" "$ROOT/dist" "$ROOT/package.json" "$app/"
ln -s "$work/node_modules" "$app/node_modules"
echo "patched build ready: $app"
