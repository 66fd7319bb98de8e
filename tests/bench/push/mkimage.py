#!/usr/bin/env python3
"""Writes a deterministic docker-archive (`docker save` format) image of three layers.

    mkimage.py OUT.tar [--scale 1.0] [--seed 1] [--tag hoist-bench:latest]

At scale 1.0 the layers are ~110 MB of compressible text-like files ("an application's code and
dependencies"), ~70 MB of random bytes ("already-compressed assets") and ~50 MB of mixed content:
~230 MB uncompressed. Same arguments, same bytes: every tool in the benchmark pushes the same image,
and the integration tests use small scales of it. Layer tars are uncompressed, as `docker save`
writes them; the same file loads into dockerd with `docker load -i`.
"""
import argparse, hashlib, io, json, random, tarfile

WORDS = (b"static const int return struct class template namespace include define void char "
         b"hoist registry layer manifest digest upload parallel compress stream socket buffer "
         b"error retry token scope mount blob config index platform linux amd64 json yaml").split()


def text_bytes(rng, n):
    out, size = [], 0
    while size < n:
        line = b" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) + b";\n"
        out.append(line)
        size += len(line)
    return b"".join(out)[:n]


def layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 1700000000, 0o644, 0, 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tag", default="hoist-bench:latest")
    p.add_argument("--app-version", default=None,
                   help="a release of an app instead: ~110 MB text + ~90 MB random, and a third, small layer "
                        "holding only this version string (two versions share the first two layers)")
    a = p.parse_args()
    rng = random.Random(a.seed)
    mb = lambda x: max(1024, int(x * a.scale * 1024 * 1024))
    if a.app_version is not None:
        layers = [
            layer([(f"app/src/file{i:03}.txt", text_bytes(rng, mb(110) // 40)) for i in range(40)]),
            layer([(f"app/assets/blob{i}.bin", rng.randbytes(mb(90) // 9)) for i in range(9)]),
            layer([("app/VERSION", a.app_version.encode())]),
        ]
    else:
        layers = [
            layer([(f"app/src/file{i:03}.txt", text_bytes(rng, mb(110) // 40)) for i in range(40)]),
            layer([(f"app/assets/blob{i}.bin", rng.randbytes(mb(70) // 7)) for i in range(7)]),
            layer([("app/data/mixed.txt", text_bytes(rng, mb(25))), ("app/data/mixed.bin", rng.randbytes(mb(25)))]),
        ]
    diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = {
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Labels": {"seed": str(a.seed), "scale": str(a.scale)}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2026-01-01T00:00:00Z", "created_by": f"layer {i}"} for i in range(3)],
    }
    cbytes = json.dumps(config, separators=(",", ":")).encode()
    chex = hashlib.sha256(cbytes).hexdigest()
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = [{"Config": f"{chex}.json", "RepoTags": [a.tag], "Layers": names}]
    with tarfile.open(a.out, mode="w", format=tarfile.PAX_FORMAT) as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            t.addfile(info, io.BytesIO(data))
        add(f"{chex}.json", cbytes)
        for n, l in zip(names, layers):
            add(n, l)
        add("manifest.json", json.dumps(manifest).encode())
        repo, _, tag = a.tag.rpartition(":")
        add("repositories", json.dumps({repo: {tag: diff_ids[-1][7:]}}).encode())


if __name__ == "__main__":
    main()
