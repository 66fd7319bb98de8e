#!/usr/bin/python3
"""Build the fleet's test images as one OCI image layout, without docker build.

    mkimages.py OUT_DIR [BUSYBOX_PATH]

Deterministic: the same busybox binary and the same version of this script give byte-identical
layers, configs and manifests (fixed mtimes, owners, gzip header), so digests are stable from run
to run.  Refs in OUT_DIR/index.json (org.opencontainers.image.ref.name):

  busybox-base-latest  one layer: /bin/busybox + applet symlinks, /etc/passwd, /tmp; CMD /bin/sh
  app-v1, app-v2       base layer + app layer: busybox httpd on :8080 serving /www
                         /version        -> "v1" / "v2" (no newline)
                         /healthz        -> 200 "ok"
                         /cgi-bin/slow   -> sleeps 2 s (or ?N seconds) then 200 "slow <version>"
  app-unhealthy        like v1 ("unhealthy" version) but without /healthz: 404
  app-crash            prints a line and exits 1 at once
  app-degrades         like v1 ("degrades" version), but /healthz disappears $HEALTHY_FOR seconds
                       (default 5) after start while /version keeps answering: a container that
                       turns unhealthy only after it joined the pool
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MTIME = 1700000000  # fixed: 2023-11-14
CREATED = "2023-11-14T22:13:20Z"

APPLETS = ["sh", "ash", "cat", "echo", "ls", "sleep", "wget", "httpd", "env", "ps", "kill",
           "mkdir", "rm", "cp", "mv", "date", "hostname", "id", "printf", "test", "[", "true",
           "false", "head", "tail", "grep", "sed", "nc", "touch", "chmod", "ln", "pwd", "uname",
           "awk", "tr", "wc", "cut", "sort", "uniq", "tee", "xargs", "find", "stat", "du", "df",
           "mount", "netstat", "ip", "ifconfig", "nslookup", "top", "free", "vi", "less", "more",
           "gzip", "gunzip", "tar", "which", "whoami", "basename", "dirname", "seq", "expr",
           "md5sum", "sha256sum", "nohup", "timeout", "usleep", "pidof", "killall", "sync"]

SLOW_CGI = """#!/bin/sh
# /cgi-bin/slow[?SECONDS]: keeps a request in flight, then answers 200.
n=${QUERY_STRING:-2}
case "$n" in ''|*[!0-9.]*) n=2 ;; esac
sleep "$n"
printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nslow %s\\n' "$(cat /www/version)"
"""


def tar_add(tf, name, data=None, mode=0o644, kind="file", target=None):
    ti = tarfile.TarInfo(name)
    ti.mtime = MTIME
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.mode = mode
    if kind == "dir":
        ti.type = tarfile.DIRTYPE
        tf.addfile(ti)
    elif kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = target
        tf.addfile(ti)
    else:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))


def make_layer(entries):
    """entries: list of tar_add kwargs; returns (gz_bytes, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            tar_add(tf, **e)
    raw_bytes = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0, compresslevel=6) as g:
        g.write(raw_bytes)
    return gz.getvalue(), "sha256:" + hashlib.sha256(raw_bytes).hexdigest()


class Layout:
    def __init__(self, out):
        self.out = out
        self.blobdir = os.path.join(out, "blobs", "sha256")
        os.makedirs(self.blobdir, exist_ok=True)
        self.manifests = []

    def blob(self, data):
        d = hashlib.sha256(data).hexdigest()
        p = os.path.join(self.blobdir, d)
        if not os.path.exists(p):
            with open(p + ".tmp", "wb") as f:
                f.write(data)
            os.rename(p + ".tmp", p)
        return {"digest": "sha256:" + d, "size": len(data)}

    def image(self, ref, layers, config):
        """layers: list of (gz, diff_id, created_by)."""
        cfg = {
            "created": CREATED,
            "architecture": "amd64",
            "os": "linux",
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": [l[1] for l in layers]},
            "history": [{"created": CREATED, "created_by": l[2]} for l in layers],
        }
        cfg_bytes = json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()
        cdesc = self.blob(cfg_bytes)
        man = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cdesc},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **self.blob(l[0])}
                       for l in layers],
        }
        mbytes = json.dumps(man, sort_keys=True, separators=(",", ":")).encode()
        mdesc = self.blob(mbytes)
        self.manifests.append({
            "mediaType": "application/vnd.oci.image.manifest.v1+json", **mdesc,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"org.opencontainers.image.ref.name": ref},
        })

    def finish(self):
        with open(os.path.join(self.out, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        with open(os.path.join(self.out, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": self.manifests}, f, sort_keys=True)


def main():
    out = sys.argv[1]
    bb_path = sys.argv[2] if len(sys.argv) > 2 else "/bin/busybox"
    with open(bb_path, "rb") as f:
        bb = f.read()

    base_entries = [
        dict(name="bin", kind="dir", mode=0o755),
        dict(name="bin/busybox", data=bb, mode=0o755),
    ]
    base_entries += [dict(name="bin/" + a, kind="symlink", target="busybox", mode=0o777) for a in APPLETS]
    base_entries += [
        dict(name="etc", kind="dir", mode=0o755),
        dict(name="etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"),
        dict(name="etc/group", data=b"root:x:0:\nnogroup:x:65534:\n"),
        dict(name="root", kind="dir", mode=0o700),
        dict(name="tmp", kind="dir", mode=0o1777),
    ]
    base = make_layer(base_entries) + ("COPY busybox /bin/busybox (+ applet symlinks) # hoist fleet base",)

    lay = Layout(out)
    base_cfg = {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"], "WorkingDir": "/"}
    lay.image("busybox-base-latest", [base], base_cfg)

    def app_layer(version, healthy=True):
        e = [dict(name="www", kind="dir", mode=0o755),
             dict(name="www/version", data=version.encode()),
             dict(name="www/cgi-bin", kind="dir", mode=0o755),
             dict(name="www/cgi-bin/slow", data=SLOW_CGI.encode(), mode=0o755)]
        if healthy:
            e.append(dict(name="www/healthz", data=b"ok"))
        return make_layer(e) + ("COPY www /www # app %s" % version,)

    httpd_cmd = ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
    for ref, version, healthy in (("app-v1", "v1", True), ("app-v2", "v2", True),
                                  ("app-unhealthy", "unhealthy", False)):
        cfg = {"Env": ["PATH=/bin", "APP_VERSION=" + version], "Cmd": httpd_cmd, "WorkingDir": "/",
               "ExposedPorts": {"8080/tcp": {}},
               "Labels": {"org.opencontainers.image.version": version, "hoist.test": "app"}}
        lay.image(ref, [base, app_layer(version, healthy)], cfg)

    crash_cfg = {"Env": ["PATH=/bin", "APP_VERSION=crash"],
                 "Cmd": ["/bin/busybox", "sh", "-c", "echo 'app: crashing on purpose' >&2; exit 1"],
                 "WorkingDir": "/", "ExposedPorts": {"8080/tcp": {}},
                 "Labels": {"org.opencontainers.image.version": "crash", "hoist.test": "app"}}
    lay.image("app-crash", [base, app_layer("crash")], crash_cfg)

    degrade_cfg = {"Env": ["PATH=/bin", "APP_VERSION=degrades", "HEALTHY_FOR=5"],
                   "Cmd": ["/bin/busybox", "sh", "-c",
                           "/bin/busybox httpd -p 8080 -h /www; sleep \"$HEALTHY_FOR\"; rm -f /www/healthz; "
                           "echo 'app: no longer healthy' >&2; exec sleep 2147483647"],
                   "WorkingDir": "/", "ExposedPorts": {"8080/tcp": {}},
                   "Labels": {"org.opencontainers.image.version": "degrades", "hoist.test": "app"}}
    lay.image("app-degrades", [base, app_layer("degrades")], degrade_cfg)
    lay.finish()


if __name__ == "__main__":
    main()
