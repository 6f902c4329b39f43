#!/usr/bin/env python3
"""Where a process's resident memory is: /proc/PID/smaps summed by mapping name (anonymous
mappings by size class, since glibc arenas, V8 heaps and driver buffers are all unnamed).

    python3 smaps.py PID [TOP=14]
"""
import re
import sys
from collections import defaultdict

pid, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 14
rss = defaultdict(int)
anon = defaultdict(int)
single = []  # (rss kB, size MiB, start) of each unnamed mapping
name = None
head = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$")
with open(f"/proc/{pid}/smaps") as f:
    for line in f:
        m = head.match(line)
        if m:
            start, end, path = int(m[1], 16), int(m[2], 16), m[3].strip()
            if not path:
                mib = (end - start) >> 20
                single.append([0, mib, start])
                path = "[anon >=64 MiB]" if mib >= 64 else "[anon 1-64 MiB]" if mib >= 1 else "[anon <1 MiB]"
            name = path
        elif line.startswith("Rss:"):
            rss[name] += int(line.split()[1])
            if name.startswith("[anon ") and single:
                single[-1][0] = int(line.split()[1])
        elif line.startswith("Anonymous:"):
            anon[name] += int(line.split()[1])
total = sum(rss.values())
print(f"pid {pid}: Rss {total >> 10} MiB, of it anonymous {sum(anon.values()) >> 10} MiB")
for path, kb in sorted(rss.items(), key=lambda kv: -kv[1])[:top]:
    print(f"  {kb >> 10:6d} MiB (anon {anon[path] >> 10:5d})  {path[-90:]}")
big = sorted(single, reverse=True)[:6]
print("  largest unnamed mappings (resident / size MiB): " + ", ".join(f"{kb >> 10}/{mib}" for kb, mib, _ in big))
