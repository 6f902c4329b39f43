#!/usr/bin/env python3
"""Rewrites every fatbin container of a CUDA library to hold only its PTX for one architecture,
with the PTX ISA version lowered, so a driver older than the toolkit that built it can JIT it.

node-llama-cpp 3.22.1's prebuilt libggml-cuda.so ships PTX ISA 9.1 (CUDA 13.1) for sm_75/80/90 and
machine code only for sm_86/89/120/121: on an H100/H200 with driver 580 (CUDA 13.0) its first kernel
launch aborts. Lowering `.version 9.1` to 9.0 is enough for ptxas 13.0 to accept all 143 modules
(checked with ptxas -arch=sm_90). Bench kit only: the product never patches binaries.

    ptx-retarget.py IN.so OUT.so [--arch 90] [--from 9.1] [--to 9.0]
Needs the zstd command (the entries are zstd-compressed).
"""
import argparse
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor

MAGIC = struct.pack("<I", 0xBA55ED50)
PTX = 1


def containers(f, arch):
    """(offset, header size, size, (entry offset, entry header size)) of each container."""
    i = 0
    while (i := f.find(MAGIC, i)) >= 0:
        _, hsize, fsize = struct.unpack_from("<HHQ", f, i + 4)
        p, end, found = i + hsize, i + hsize + fsize, None
        while p < end:
            kind, _, hs, sz = struct.unpack_from("<HHIQ", f, p)
            if kind == PTX and struct.unpack_from("<I", f, p + 28)[0] == arch:
                found = (p, hs)
            p += hs + sz
        if found is None:
            raise SystemExit(f"container at {i:#x} has no PTX for sm_{arch}")
        yield i, hsize, fsize, found
        i = end


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--arch", type=int, default=90)
    ap.add_argument("--from", dest="old", default="9.1")
    ap.add_argument("--to", dest="new", default="9.0")
    a = ap.parse_args()
    f = bytearray(open(a.src, "rb").read())
    old, new = f".version {a.old}".encode(), f".version {a.new}".encode()
    major, minor = (int(x) for x in a.new.split("."))

    def recompress(job):
        _, _, _, (p, hs) = job
        size = struct.unpack_from("<I", f, p + 16)[0]
        run = lambda cmd, data: subprocess.run(cmd, input=data, capture_output=True, check=True).stdout
        text = run(["zstd", "-dc"], bytes(f[p + hs : p + hs + size]))
        if text.count(old) != 1:
            raise SystemExit(f"entry at {p:#x}: expected one '{a.old}' version line")
        text = text.replace(old, new)
        return job, run(["zstd", "-9", "-c", "--no-check", f"--stream-size={len(text)}"], text)

    jobs = list(containers(f, a.arch))
    with ThreadPoolExecutor(4) as ex:
        for (i, hsize, fsize, (p, hs)), comp in ex.map(recompress, jobs):
            header = bytearray(f[p : p + hs])
            padded = (len(comp) + 7) // 8 * 8
            struct.pack_into("<Q", header, 8, padded)  # payload size
            struct.pack_into("<I", header, 16, len(comp))  # compressed size
            struct.pack_into("<HH", header, 24, minor, major)  # PTX ISA version
            entry = bytes(header) + comp + bytes(padded - len(comp))
            assert len(entry) <= fsize
            # The one entry replaces the container's contents; the rest is zeroed and not read.
            f[i + hsize : i + hsize + fsize] = entry + bytes(fsize - len(entry))
            struct.pack_into("<Q", f, i + 8, len(entry))
    open(a.dst, "wb").write(f)
    print(f"{len(jobs)} containers now hold only sm_{a.arch} PTX ISA {a.new}")


if __name__ == "__main__":
    main()
