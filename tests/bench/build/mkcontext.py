#!/usr/bin/env python3
"""Writes a deterministic build context for the build benchmark: the same content, in files, as
tests/bench/push/mkimage.py's image (its text generator is reused), plus a Dockerfile of three COPY
layers and a small file in the top layer that the "one-file change" step edits.

    mkcontext.py DIR [--scale 1.0] [--seed 1]
"""
import argparse, os, random, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "push"))
from mkimage import text_bytes  # noqa: E402

DOCKERFILE = """FROM scratch
COPY src /app/src
COPY assets /app/assets
COPY data /app/data
ENV APP_ENV=production
WORKDIR /app
CMD ["/app/run"]
"""


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    mb = lambda x: max(1024, int(x * a.scale * 1024 * 1024))
    for i in range(40):
        write(f"{a.dir}/src/file{i:03}.txt", text_bytes(rng, mb(110) // 40))
    for i in range(7):
        write(f"{a.dir}/assets/blob{i}.bin", rng.randbytes(mb(70) // 7))
    write(f"{a.dir}/data/mixed.txt", text_bytes(rng, mb(25)))
    write(f"{a.dir}/data/mixed.bin", rng.randbytes(mb(25)))
    write(f"{a.dir}/data/version.txt", b"1\n")
    write(f"{a.dir}/Dockerfile", DOCKERFILE.encode())


if __name__ == "__main__":
    main()
