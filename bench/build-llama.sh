#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench, llama-server and llama-quantize (CPU only, native, Release) from the exact
# llama.cpp source that the installed node-llama-cpp ships (node_modules/node-llama-cpp/llama/
# gitRelease.bundle), into a cache folder outside the repository. Runs once; reuses the build
# when present. Prints the folder holding the binaries on its last line.
#
# It also builds a second llama-bench (build-dl/) that loads its CPU backend at run time, as
# node-llama-cpp's prebuilt binaries do: bench/engine runs it on node-llama-cpp's own prebuilt
# CPU kernels, which tells the kernels' share of any gap from the share of how decodes are driven.
#
#   bench/build-llama.sh            # build (or reuse)
#   JOBS=1 bench/build-llama.sh     # fewer compile jobs (default: nproc)
#   TOLLAMA_BENCH_CACHE=/some/dir   # cache root (default ~/.cache/tollama-bench)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
llama_dir="$root/node_modules/node-llama-cpp/llama"
bundle="$llama_dir/gitRelease.bundle"
cache="${TOLLAMA_BENCH_CACHE:-$HOME/.cache/tollama-bench}"
jobs="${JOBS:-$(nproc)}"

if [[ ! -f "$bundle" ]]; then
  echo "no $bundle: is node-llama-cpp installed?" >&2
  exit 1
fi
commit="$(git bundle list-heads "$bundle" | awk '$2=="HEAD"{print $1; exit}')"
if [[ -z "$commit" ]]; then
  commit="$(git bundle list-heads "$bundle" | awk 'NR==1{print $1}')"
fi
short="${commit:0:7}"
dest="$cache/llama.cpp-$short"
bin="$dest/build/bin"

dl_bin="$dest/build-dl/bin"
if [[ -x "$bin/llama-bench" && -x "$bin/llama-server" && -x "$bin/llama-quantize" && -x "$dl_bin/llama-bench" ]]; then
  echo "llama.cpp $short already built"
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
if [[ ! -d "$dest/src/.git" ]]; then
  rm -rf "$dest/src"
  # A fresh clone from the bundle into the cache folder: touches nothing in the project.
  git clone --quiet "$bundle" "$dest/src"
  git -C "$dest/src" -c advice.detachedHead=false checkout --quiet "$commit"
fi

gen=()
if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi

# configure_and_build DIR TARGETS... -- CMAKE_OPTIONS...
configure_and_build() {
  local dir="$1"
  shift
  local targets=()
  while [[ "$1" != "--" ]]; do
    targets+=("$1")
    shift
  done
  shift
  cmake -S "$dest/src" -B "$dest/$dir" "${gen[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF \
    -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
    "$@" >"$dest/configure-$dir.log" 2>&1 || {
    tail -40 "$dest/configure-$dir.log" >&2
    exit 1
  }
  echo "building ${targets[*]} in $dir with $jobs jobs (log: $dest/build-$dir.log)"
  cmake --build "$dest/$dir" --config Release -j "$jobs" --target "${targets[@]}" \
    >"$dest/build-$dir.log" 2>&1 || {
    tail -40 "$dest/build-$dir.log" >&2
    exit 1
  }
}

if [[ ! -x "$bin/llama-bench" || ! -x "$bin/llama-server" || ! -x "$bin/llama-quantize" ]]; then
  echo "configuring llama.cpp $short (CPU, GGML_NATIVE=ON, Release) in $dest/build"
  configure_and_build build llama-bench llama-server llama-quantize -- -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF
fi
if [[ ! -x "$dl_bin/llama-bench" ]]; then
  echo "configuring llama.cpp $short (CPU backend loaded at run time, Release) in $dest/build-dl"
  configure_and_build build-dl llama-bench -- -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DBUILD_SHARED_LIBS=ON
fi
echo "$commit" >"$dest/COMMIT"
echo "built llama.cpp $short"
echo "$bin"
