#!/usr/bin/env bash
# Packs what the engine benchmark needs on a lent GPU machine that has no Node and no npm registry
# (see README.md here) into .gpukit/ (git-ignored through .git/info/exclude), under its 64 MiB limit:
# Node itself, the production node_modules with node-llama-cpp's CPU and CUDA prebuilt binaries
# (the CUDA kernels retargeted with ptx-retarget.py), llama-bench and llama-server built here
# against those same prebuilt libraries, dist/, the qwen2 vocabulary and run.sh.
#
#   npm run build && bench/gpu-kit/make-kit.sh
#   BASE=<git ref> bench/gpu-kit/make-kit.sh   also packs that ref's build, for run.sh's A/B of the two
# Needs: g++, cmake, ninja, python3, zstd, xz; the llama.cpp source from bench/build-llama.sh's cache
# (cloned from node-llama-cpp's bundle if missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
kit="$root/.gpukit"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
grep -qx "/.gpukit/" .git/info/exclude 2>/dev/null || echo "/.gpukit/" >>.git/info/exclude
rm -rf "$kit" && mkdir -p "$kit"

bundle=node_modules/node-llama-cpp/llama/gitRelease.bundle
commit="$(git bundle list-heads "$bundle" | awk 'NR==1{print $1}')"
src="${TOLLAMA_BENCH_CACHE:-$HOME/.cache/tollama-bench}/llama.cpp-${commit:0:7}/src"
[[ -d "$src/.git" ]] || { git clone --quiet "$bundle" "$src" && git -C "$src" -c advice.detachedHead=false checkout --quiet "$commit"; }

nlc=node_modules/@node-llama-cpp
cuda="$stage/$nlc/linux-x64-cuda/bins/linux-x64-cuda"
echo "staging production node_modules"
npm ls --omit=dev --all --parseable 2>/dev/null | sed "s|^$root/||" | grep '^node_modules/' |
  grep -v "^$nlc/" | grep -vx node_modules/typescript | sort -u >"$stage/list"
tar -cf - --exclude='*.map' --exclude='*.d.ts' --exclude=gitRelease.bundle -T "$stage/list" | tar -C "$stage" -xf -
for pkg in linux-x64 linux-x64-cuda; do
  mkdir -p "$stage/$nlc/$pkg" && cp -r "$nlc/$pkg/." "$stage/$nlc/$pkg/"
  # One CPU variant per common server CPU family is enough (the list is ggml's own variant names).
  find "$stage/$nlc/$pkg" -name 'libggml-cpu-*.so' |
    grep -Ev 'cpu-(x64|haswell|sapphirerapids|zen4)\.so$' | xargs rm -f
done
python3 "$here/ptx-retarget.py" "$nlc/linux-x64-cuda/bins/linux-x64-cuda/libggml-cuda.so" "$cuda/libggml-cuda.so"

echo "llama-bench against the prebuilt CUDA libraries"
(cd "$cuda" && ln -sf libllama.cuda.v0.5.0.so libllama.so.0 && ln -sf libggml.cuda.v0.5.0.so libggml.so.0 &&
  ln -sf libggml-base.so libggml-base.so.0 && ln -sf libllama-common.so libllama-common.so.0 &&
  mkdir -p link && ln -sf ../libllama.so.0 link/libllama.so && ln -sf ../libggml.so.0 link/libggml.so)
g++ -O2 -DNDEBUG -std=c++17 -I"$src/include" -I"$src/ggml/include" -I"$src/common" \
  "$src/tools/llama-bench/llama-bench.cpp" "$src/tools/llama-bench/main.cpp" -o "$cuda/llama-bench" \
  -L"$cuda/link" -L"$cuda" -lllama -lggml -lggml-base -lllama-common -Wl,-rpath,'$ORIGIN' -pthread
rm -rf "$cuda/link"

echo "llama-server (shared build of the same commit; its llama/ggml libraries are swapped for the prebuilt ones)"
build="$(cd "$src/.." && pwd)/build-shared"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON \
  -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target llama-server >/dev/null
cp "$build/bin/llama-server" "$build/bin/libllama-server-impl.so" "$cuda/"
cp "$(readlink -f "$build/bin/libmtmd.so.0")" "$cuda/libmtmd.so.0"
# Their RUNPATH names the build folder; $ORIGIN (shorter, NUL-padded in place) finds the prebuilt libs.
python3 - "$build/bin" "$cuda/llama-server" "$cuda/libllama-server-impl.so" "$cuda/libmtmd.so.0" <<'PY'
import sys
old = (sys.argv[1] + ":").encode()
for path in sys.argv[2:]:
    data = bytearray(open(path, "rb").read())
    i = data.find(old + b"\0")
    if i < 0:
        raise SystemExit(f"{path}: RUNPATH {old!r} not found")
    data[i : i + len(old)] = b"$ORIGIN".ljust(len(old), b"\0")
    open(path, "wb").write(data)
PY

echo "compressing"
tar -C "$stage" -cf - node_modules | xz -T0 -6 >"$kit/nm.tar.xz"
tar -cf - --exclude='*.map' dist | xz -6 >"$kit/dist.tar.xz"
if [[ -n "${BASE:-}" ]]; then
  echo "baseline build of $BASE"
  git worktree add --quiet --detach "$stage/base" "$BASE"
  ln -s "$root/node_modules" "$stage/base/node_modules"
  (cd "$stage/base" && npx tsc -p tsconfig.json && tar -cf - --exclude='*.map' dist) | xz -6 >"$kit/dist-base.tar.xz"
  git worktree remove --force "$stage/base"
fi
xz -T0 -9 -c "$(command -v node)" >"$kit/node.xz"
xz -9 -c "$root/../shared/models/ggml-vocab-qwen2.gguf" >"$kit/vocab-qwen2.gguf.xz"
cp "$here/run.sh" "$here/step-probe.mjs" "$kit/"
du -cb "$kit"/* | tail -1 | awk '{printf "kit: %.1f MiB (the device takes 64 MiB with the tracked files)\n", $1/1048576}'
