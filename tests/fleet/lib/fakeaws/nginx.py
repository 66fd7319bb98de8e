"""Drives the test fleet's real nginx from the fake ALB: the upstream file holds exactly the targets
the listener routes to (elbv2.Elbv2.routed), with nginx weights for weighted forwards, and nginx is
reloaded over SSH (the fleet's ssh_config, node `lb`) whenever that set changes. With nothing to
route to, the block holds one `down` server, so nginx answers 502 as an ALB without targets answers 503.

`nginx -s reload` only signals the master; the new configuration takes effect a little later (on a
busy machine, hundreds of milliseconds), and until then the old workers keep accepting with the old
upstream. So after each reload we wait until every worker that was accepting before is gone or
"shutting down" (the title nginx gives a worker as it closes its listening sockets) and a new one
runs: only then does the API call that caused the change return, as "new requests follow".
"""
import json
import math
import os
import subprocess
import threading
import time
from functools import reduce


def weights(routed):
    """[(addr, port, group_weight, group_size)] -> {"addr:port": nginx weight} (smallest integers)."""
    if not routed:
        return {}
    lcm = reduce(lambda a, b: a * b // math.gcd(a, b), {n for _, _, _, n in routed}, 1)
    raw = {}
    for addr, port, w, n in routed:
        key = "%s:%d" % (addr, port)
        raw[key] = raw.get(key, 0) + w * lcm // n
    g = reduce(math.gcd, raw.values())
    return {k: v // g for k, v in raw.items()}


class Nginx:
    def __init__(self, fleet_json, routed, log):
        with open(fleet_json) as f:
            fleet = json.load(f)
        n = fleet["lb"]["nginx"]
        self.path, self.upstream, self.reload_cmd = n["config_path_local"], n["upstream"], n["reload_command"]
        self.ssh_config = fleet["ssh"]["config"]
        self.pid_file = n["pid_file"]
        self.routed, self.log = routed, log
        with open(self.path) as f:
            self.original = f.read()
        st = os.stat(self.path)
        self.owner = (st.st_uid, st.st_gid)
        self.lock = threading.Lock()
        self.last = None

    def render(self, w):
        lines = ["# written by tests/fleet/lib/fake_aws.py: what the fake ALB's listener routes to",
                 "upstream %s {" % self.upstream]
        for key in sorted(w):
            lines.append("    server %s weight=%d;" % (key, w[key]))
        if not w:
            lines.append("    server 127.0.0.1:9 down;  # no target to route to")
        return "\n".join(lines + ["}", ""])

    def write(self, text):
        tmp = self.path + ".fake-aws.tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chown(tmp, *self.owner)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)
        before, t0 = self.accepting(), time.monotonic()
        try:
            r = subprocess.run(["ssh", "-F", self.ssh_config, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                                "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3", "lb",
                                self.reload_cmd], capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired:
            # Logged, not raised: an exception here would end the health checker's thread (or a
            # request's) for good, and the endpoint would stop answering as the test expects.
            self.log("nginx reload did not return within 20 s")
            return
        if r.returncode != 0:
            self.log("nginx reload failed (exit %d): %s" % (r.returncode, r.stderr.strip()))
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = self.accepting()
            if now and not (now & before):
                self.log("nginx reloaded in %d ms" % ((time.monotonic() - t0) * 1000))
                return
            time.sleep(0.01)
        self.log("nginx reload did not take effect within 10 s (workers accepting: %s)" % sorted(self.accepting()))

    def accepting(self):
        """PIDs of the master's workers that still accept connections."""
        try:
            with open(self.pid_file) as f:
                master = f.read().strip()
        except OSError:
            return set()
        out = set()
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = f.read().rsplit(")", 1)[1].split()[1]
                if ppid != master:
                    continue
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    title = f.read().split(b"\0")[0].decode(errors="replace").strip()
            except (OSError, IndexError):
                continue
            if title == "nginx: worker process":
                out.add(int(d))
        return out

    def sync(self):
        with self.lock:
            w = weights(self.routed())
            if w == self.last:
                return
            self.write(self.render(w))
            self.log("nginx now routes to: %s" % (", ".join("%s w=%d" % kv for kv in sorted(w.items())) or "nothing"))
            self.last = w

    def restore(self):
        with self.lock:
            self.write(self.original)
            self.last = None
