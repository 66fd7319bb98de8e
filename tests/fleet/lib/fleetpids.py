#!/usr/bin/python3
"""fleetpids.py FLEET_DIR NETNS_REGEX CGROUP_MARK: print "PID KIND" for every process of a fleet.

KIND is: netns   (lives in one of the fleet's network namespaces: sshd, sessions, dockerd, nginx...)
         cmdline (has FLEET_DIR/ on its command line: registry, issuer, containerd shims, ssh clients)
         cgroup  (in a container cgroup of the fleet: /CGROUP_MARK-h<N>/...)
The caller, its parents and this process are never listed. One pass over /proc, no subprocesses.
"""
import os
import re
import sys

fd, ns_re, mark = sys.argv[1], re.compile(sys.argv[2]), sys.argv[3]
fdpat = (fd.rstrip("/") + "/").encode()
cgpat = re.compile(r"/" + re.escape(mark) + r"-h[0-9]+(/|$)", re.M)

inodes = set()
try:
    for n in os.listdir("/run/netns"):
        if ns_re.match(n):
            try:
                st = os.stat("/run/netns/" + n)
                inodes.add((st.st_dev, st.st_ino))
            except OSError:
                pass
except FileNotFoundError:
    pass

skip = set()
p = os.getpid()
while p > 1:  # this process and its ancestors
    skip.add(p)
    try:
        with open("/proc/%d/stat" % p) as f:
            p = int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        break

for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    pid = int(d)
    if pid in skip:
        continue
    kind = None
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                continue  # zombies are gone already; their parent reaps them
        with open("/proc/%d/cgroup" % pid) as f:
            if cgpat.search(f.read()):
                kind = "cgroup"
        if kind is None and inodes:
            try:
                st = os.stat("/proc/%d/ns/net" % pid)
                if (st.st_dev, st.st_ino) in inodes:
                    kind = "netns"
            except OSError:
                pass
        if kind is None:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if fdpat in f.read():
                    kind = "cmdline"
    except OSError:
        continue
    if kind:
        print(pid, kind)
