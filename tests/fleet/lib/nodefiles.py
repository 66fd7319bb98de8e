#!/usr/bin/python3
"""nodefiles.py: write every node's files in one process (fast for 100+ hosts).

stdin: JSON {"user": NAME, "uid": N, "gid": N, "path": USER_PATH, "fleet": NAME, "hostkeys": POOL_DIR,
             "home_template": DIR,
             "nodes": [{"node": "h1", "ip": "10.210.0.11", "dir": "/.../h1", "docker_sock": "" | PATH,
              "podman_sock": "" | PATH}]}
For each node: DIR (0755), DIR/ssh (host keys copied from POOL_DIR/<node>), DIR/home (a copy of the
home template, owned by the user, plus .fleet-node), DIR/sshd_config.
"""
import json
import os
import shutil
import sys

SSHD_COMMON = """UsePAM no
MaxStartups 200
MaxSessions 200
PermitRootLogin no
AllowUsers {user}
PubkeyAuthentication yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
AllowAgentForwarding yes
X11Forwarding no
PermitTunnel no
GatewayPorts no
PrintMotd no
PrintLastLog no
UseDNS no
LoginGraceTime 30
ClientAliveInterval 0
Subsystem sftp internal-sftp
"""


def copy_tree(src, dst, uid=None, gid=None):
    shutil.copytree(src, dst, symlinks=True)
    if uid is not None:
        os.chown(dst, uid, gid)
        for root, dirs, files in os.walk(dst):
            for n in dirs + files:
                os.chown(os.path.join(root, n), uid, gid, follow_symlinks=False)


def main():
    c = json.load(sys.stdin)
    common = SSHD_COMMON.format(user=c["user"])
    for n in c["nodes"]:
        d = n["dir"]
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        copy_tree(os.path.join(c["hostkeys"], n["node"]), os.path.join(d, "ssh"))
        home = os.path.join(d, "home")
        copy_tree(c["home_template"], home, c["uid"], c["gid"])
        with open(os.path.join(home, ".fleet-node"), "w") as f:
            f.write(n["node"] + "\n")
        os.chown(os.path.join(home, ".fleet-node"), c["uid"], c["gid"])
        # one SetEnv line (sshd keeps the first): sbin in PATH so that `nginx -s reload` works as on
        # distributions that give users sbin; DOCKER_HOST points the login shell at the host's dockerd
        env = "PATH=" + c["path"]
        if n.get("docker_sock"):
            env += " DOCKER_HOST=unix://" + n["docker_sock"]
        # a podman host: the podman client talks to the host's podman service (remote mode)
        if n.get("podman_sock"):
            env += " CONTAINER_HOST=unix://" + n["podman_sock"]
        cfg = ["# hoist test fleet %s, node %s" % (c["fleet"], n["node"]),
               "ListenAddress %s:22" % n["ip"]]
        cfg += ["HostKey %s/ssh/ssh_host_%s_key" % (d, k) for k in ("ed25519", "ecdsa", "rsa")]
        cfg += ["PidFile %s/sshd.pid" % d]
        with open(os.path.join(d, "sshd_config"), "w") as f:
            f.write("\n".join(cfg) + "\n" + common + "SetEnv " + env + "\n")


if __name__ == "__main__":
    main()
