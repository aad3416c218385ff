#!/usr/bin/env python3
"""10^4 random architectures of depth 1..50 for timing `relumix predict --architectures` (issue 15).

    tools/bench/screen_archs.py blocks > blocks.txt   # 1-4 blocks of constant width each
    tools/bench/screen_archs.py random > random.txt   # a width drawn for every layer
    time build/release/tools/relumix predict --architectures blocks.txt > /dev/null

Widths from {8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512}; fixed seed, so the files are reproducible.
"""
import random, sys

kind = sys.argv[1] if len(sys.argv) > 1 else "blocks"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
W = [8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512]
random.seed(1)
for i in range(count):
    L = random.randint(1, 50)
    if kind == "random":
        print(f"r{i}: {','.join(str(random.choice(W)) for _ in range(L))}")
        continue
    nb = random.randint(1, 4)
    cuts = sorted(random.sample(range(1, L), min(nb - 1, L - 1))) if L > 1 else []
    parts, prev = [], 0
    for c in cuts + [L]:
        parts.append(f"{random.choice(W)}x{c - prev}")
        prev = c
    print(f"a{i}: {','.join(parts)}")
