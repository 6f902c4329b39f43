#!/bin/bash
# Runs on the lent GPU machine, from the repository root: bash .gpukit/run.sh (see README.md).
# Unpacks Node and node_modules, finds the CUDA libraries, runs the engine benchmark with --gpu,
# then shows how num_gpu unset was fitted and what the server holds (against the baseline build
# where the kit has one), and a partial offload; the optional extras are listed at their section.
exec > >(tee "$OUT/log.txt") 2>&1
set -x
cd "$(dirname "$0")/.."
K=.gpukit; W=/tmp/w; mkdir -p $W
t0=$(date +%s)
python3 - <<PY
import lzma,shutil,tarfile,os
shutil.copyfileobj(lzma.open('$K/node.xz'), open('$W/node','wb'))
os.makedirs('../shared/models', exist_ok=True)
shutil.copyfileobj(lzma.open('$K/vocab-qwen2.gguf.xz'), open('../shared/models/ggml-vocab-qwen2.gguf','wb'))
tarfile.open('$K/nm.tar.xz').extractall('.')
tarfile.open('$K/dist.tar.xz').extractall('.')
PY
chmod +x $W/node; export PATH=$W:$PATH
echo "unpacked in $(( $(date +%s) - t0 )) s"; node -v
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv
lscpu | grep -E "Model name|^CPU\(s\)|Thread|Core"
LP=""
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcuda.so.1 libnvidia-ml.so.1; do
  f=$(find / -xdev \( -path /proc -o -path /sys \) -prune -o -name "$lib" -print 2>/dev/null | head -1)
  echo "$lib -> $f"; [ -n "$f" ] && LP="$LP:$(dirname $f)"
done
export LD_LIBRARY_PATH="${LP#:}:$LD_LIBRARY_PATH"
export CUDA_CACHE_PATH=/tmp/cudacache CUDA_CACHE_MAXSIZE=4294967296
B=node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda
chmod +x $B/llama-bench
export TOLLAMA_LLAMA_BIN=$PWD/$B
node -e 'import("./dist/src/gguf/cache.js").then(async m=>{for (const [p,q] of [["smollm2-135m","Q8_0"],["qwen2.5-0.5b","Q8_0"],["qwen2.5-0.5b","Q4_0"]]) console.log(await m.ensureModel(p,{quant:q}))})'
echo "models in $(( $(date +%s) - t0 )) s"
# FIT_ONLY=1 skips the warm-up, the benchmark and the baseline build: only the fit section runs.
[ -n "$FIT_ONLY" ] && rm -f $K/dist-base.tar.xz
[ -z "$FIT_ONLY" ] && for M in .cache/models/smollm2-135m-Q8_0-*.gguf .cache/models/qwen2.5-0.5b-Q4_0-*.gguf; do
  timeout 75 $B/llama-bench -m $M -ngl 99 -p 512 -n 32 -fa auto,off -r 1 2>&1 | grep -v "^load_backend" | tail -25
  echo "jit warm-up $M done at $(( $(date +%s) - t0 )) s"
done
# MODELS picks the benchmark's models (bench/engine.ts keys; qwen7b-q4 is generated here, ~90 s);
# BENCH_TIMEOUT (default 270 s) bounds the benchmark.
[ -z "$FIT_ONLY" ] && TOLLAMA_BENCH_SMAPS=1 timeout ${BENCH_TIMEOUT:-270} node bench/run.cjs engine --gpu --threads 8 --reps ${REPS:-2} --models ${MODELS:-smollm,qwen-q4,qwen-q8} 2>&1
cp bench/results/engine-*.json $OUT/ 2>/dev/null
echo "bench done at $(( $(date +%s) - t0 )) s"
# How num_gpu unset is fitted, and what the server then holds: this build, then the baseline build
# make-kit.sh packed (BASE=<ref>), where there is one. Then a partial offload: OLLAMA_GPU_OVERHEAD
# leaves 250 MiB (too little for one layer with its compute buffers: none offloaded, on the H200) or
# 600 MiB (part of Qwen2.5 Q8, whose 25 layers took 966 MiB at one 4096-token slot) beside Ollama's
# 457 MiB reserve.
if [ -f $K/dist-base.tar.xz ]; then
  mkdir -p /tmp/base && cp -r bin package.json /tmp/base/ && ln -s $PWD/node_modules /tmp/base/node_modules
  python3 -c "import tarfile; tarfile.open('$K/dist-base.tar.xz').extractall('/tmp/base')"
fi
# A server of `app` on port 11703 over the benchmark's store, with Qwen2.5 Q8 in it; sets srv.
start() { # app-folder log [VAR=value...]
  local app=$1 logf=$2; shift 2
  env OLLAMA_CONTEXT_LENGTH=4096 "$@" OLLAMA_HOST=127.0.0.1:11703 OLLAMA_MODELS=$PWD/.cache/bench-store node $app/bin/tollama.cjs serve >$logf 2>&1 &
  srv=$!
  for i in $(seq 60); do curl -sf 127.0.0.1:11703/api/version >/dev/null && break; sleep 0.5; done
  # the benchmark stores its models; without it (FIT_ONLY) the model is created here
  curl -sf 127.0.0.1:11703/api/show -d '{"model":"bench-qwen2.5-0.5b:q8_0"}' >/dev/null || {
    echo "FROM $(ls $PWD/.cache/models/qwen2.5-0.5b-Q8_0-*.gguf)" >/tmp/Modelfile
    OLLAMA_HOST=127.0.0.1:11703 node $app/bin/tollama.cjs create bench-qwen2.5-0.5b:q8_0 -f /tmp/Modelfile >/dev/null; }
}
stop() { kill $srv; wait $srv 2>/dev/null; }
fit() { # label app-folder [VAR=value...]
  local label=$1 app=$2; shift 2
  start $app /tmp/fit.log "$@"
  timeout 60 curl -s 127.0.0.1:11703/api/generate -d '{"model":"bench-qwen2.5-0.5b:q8_0","prompt":"hi","raw":true,"stream":false,"options":{"num_predict":128}}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("eval", d.get("eval_count"), "tokens at %.1f tok/s" % (d["eval_count"]/d["eval_duration"]*1e9) if "eval_count" in d else d)'
  echo "$label: RSS $(awk '/VmRSS/{printf "%.0f MiB", $2/1024}' /proc/$srv/status)"
  curl -s 127.0.0.1:11703/api/ps | python3 -c 'import json,sys; [print("ps", m["name"], "size", m["size"]>>20, "MiB, size_vram", m["size_vram"]>>20, "MiB, context", m.get("context_length")) for m in json.load(sys.stdin)["models"]]'
  grep -E "offload|model loaded|level=(WARN|ERROR)" /tmp/fit.log | cut -c1-300
  stop
}
# NO_FIT=1 stops here, after the benchmark.
[ -n "$NO_FIT" ] && { echo "total $(( $(date +%s) - t0 )) s"; exit 0; }
for run in 1 2; do
  fit "this build, run $run" .
  [ -d /tmp/base ] && fit "baseline build, run $run" /tmp/base
done
# Free memory as a process holding a CUDA context sees it, as the server will (nvidia-smi's is higher).
free_b=$(python3 -c 'import torch; print(torch.cuda.mem_get_info()[0])')
for spare in 250 600; do
  fit "this build, partial, $spare MiB" . OLLAMA_NUM_PARALLEL=1 OLLAMA_GPU_OVERHEAD=$(( free_b - (457 + spare) * 1048576 ))
done
echo "fit done at $(( $(date +%s) - t0 )) s"
# Optional extras, each set to 1 to run: AB (speed A/B against the baseline build, bench/ab.ts),
# PINNED (resident memory with ggml-cuda's pinned host buffers and without), STEP (step-probe.mjs at
# 1 and 8 CPU threads), FALLBACK (the GPU self-test fallback, checked in session 3).
if [ -n "$AB" ] && [ -d /tmp/base ]; then
  timeout 200 node bench/run.cjs ab --gpu --base /tmp/base --reps ${AB_ROUNDS:-10} 2>&1
  echo "A/B done at $(( $(date +%s) - t0 )) s"
fi
if [ -n "$PINNED" ]; then
  for PIN in "" 1; do
    start . /tmp/pin.log GGML_CUDA_NO_PINNED=$PIN
    timeout 60 curl -s 127.0.0.1:11703/api/generate -d '{"model":"bench-qwen2.5-0.5b:q8_0","prompt":"hi","stream":false,"options":{"num_predict":64}}' | cut -c1-80; echo
    echo "GGML_CUDA_NO_PINNED=$PIN:"; python3 bench/gpu-kit/smaps.py $srv 8
    stop
  done
fi
# GPU self-test fallback (checked in session 3; FALLBACK=1 runs it again): a CUDA library whose
# kernels cannot load must not kill the server.
if [ -n "$FALLBACK" ]; then
  # Zero every fat binary's payload past its header, so no kernel can load.
  cp $B/libggml-cuda.so /tmp/good.so
  python3 -c '
import struct,sys
p=sys.argv[1]; f=bytearray(open(p,"rb").read()); m=struct.pack("<I",0xBA55ED50); i=0
while (i:=f.find(m,i))>=0:
    v,h,n=struct.unpack_from("<HHQ",f,i+4); f[i+h+80:i+h+n]=bytes(max(0,n-80)); i+=h+n
open(p,"wb").write(f)' $B/libggml-cuda.so
  OLLAMA_HOST=127.0.0.1:11500 OLLAMA_MODELS=$PWD/.cache/bench-store timeout 120 node bin/tollama.cjs serve > /tmp/srv.log 2>&1 &
  SRV=$!
  sleep 2
  timeout 110 curl -s 127.0.0.1:11500/api/generate -d '{"model":"bench-smollm2-135m:q8_0","prompt":"hi","stream":false,"options":{"num_predict":8}}' | cut -c1-300; echo
  curl -s 127.0.0.1:11500/api/ps | cut -c1-300; echo
  grep -E "GPU|level=WARN|model loaded" /tmp/srv.log | cut -c1-600
  kill $SRV 2>/dev/null; wait $SRV
  cp /tmp/good.so $B/libggml-cuda.so
  echo "fallback test done at $(( $(date +%s) - t0 )) s"
fi
if [ -n "$STEP" ]; then
  for M in .cache/models/qwen2.5-0.5b-Q8_0-*.gguf .cache/models/smollm2-135m-Q8_0-*.gguf; do
    # One CPU thread (tollama's rule when every layer is offloaded) against eight.
    for T in 1 8; do timeout 40 node .gpukit/step-probe.mjs $M 1 128 $T 2>&1 | tail -3 | sed "s/^/threads=$T /"; done
  done
fi
nvidia-smi --query-gpu=memory.used --format=csv
echo "total $(( $(date +%s) - t0 )) s"
