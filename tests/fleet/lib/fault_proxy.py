#!/usr/bin/python3
"""fault_proxy: a TCP proxy in front of a real registry that misbehaves on purpose.

    fault_proxy.py --listen 127.0.0.1:PORT --target HOST:PORT
                   [--fail N --status CODE [--retry-after S]] [--fail-match TEXT] [--delay-ms MS]
    fault_proxy.py --raw --listen ADDR:PORT --target HOST:PORT --latency-ms MS

- The first N requests whose request line contains TEXT (default: any) are answered by the proxy
  itself with CODE (e.g. 500, 503, 429 with `Retry-After: S`) and the connection is closed; every
  other connection is piped to the target byte for byte (HTTP keep-alive, streamed uploads...).
- --delay-ms holds every chunk in both directions that long: a slow registry.
- --raw: any TCP protocol (SSH: the server speaks first), piped with --latency-ms added to every
  chunk in each direction: each chunk is delivered MS after it arrived, in order, while later ones
  keep arriving (a link's latency, not a slow link), as netem would, which this kernel lacks.
- Writes one line per fault to stderr, and prints nothing on stdout. Bound to the given address only.
"""
import argparse
import queue
import socket
import sys
import threading
import time

lock = threading.Lock()
faults_left = 0


def pipe(src, dst, delay):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if delay:
                time.sleep(delay)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def pipe_latency(src, dst, latency):
    """src -> dst, each chunk delivered `latency` seconds after it was read, in order."""
    q = queue.Queue()

    def send():
        try:
            while True:
                due, data = q.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            q.put((time.monotonic() + latency, data))
    except OSError:
        pass
    q.put((0, None))
    sender.join()


def connect_target(client, args):
    """A blocking connection to --target, or None (and the client closed)."""
    host, port = args.target.rsplit(":", 1)
    try:
        upstream = socket.create_connection((host, int(port)), timeout=10)
    except OSError:
        client.close()
        return None
    upstream.settimeout(None)
    return upstream


def handle_raw(client, args):
    upstream = connect_target(client, args)
    if upstream is None:
        return
    latency = args.latency_ms / 1000.0
    t = threading.Thread(target=pipe_latency, args=(upstream, client, latency), daemon=True)
    t.start()
    pipe_latency(client, upstream, latency)
    t.join()
    client.close()
    upstream.close()


def handle(client, args):
    global faults_left
    head = b""
    client.settimeout(30)
    try:
        while b"\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
    except OSError:
        client.close()
        return
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fault = False
    with lock:
        if faults_left > 0 and args.fail_match in line:
            faults_left -= 1
            fault = True
    if fault:
        reason = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                  503: "Service Unavailable"}.get(args.status, "Error")
        body = ('{"errors":[{"code":"UNAVAILABLE","message":"fault_proxy: injected %d"}]}' % args.status).encode()
        extra = "Retry-After: %s\r\n" % args.retry_after if args.retry_after else ""
        resp = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s"
                "Connection: close\r\n\r\n" % (args.status, reason, len(body), extra)).encode() + body
        sys.stderr.write("fault_proxy: %d for %s\n" % (args.status, line))
        sys.stderr.flush()
        try:
            client.sendall(resp)
        except OSError:
            pass
        client.close()
        return
    upstream = connect_target(client, args)
    if upstream is None:
        return
    client.settimeout(None)
    delay = args.delay_ms / 1000.0
    if delay:
        time.sleep(delay)
    upstream.sendall(head)
    threading.Thread(target=pipe, args=(upstream, client, delay), daemon=True).start()
    pipe(client, upstream, delay)


def main():
    global faults_left
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--status", type=int, default=500)
    p.add_argument("--retry-after", default="")
    p.add_argument("--fail-match", default="")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--raw", action="store_true")
    p.add_argument("--latency-ms", type=int, default=0)
    args = p.parse_args()
    faults_left = args.fail
    host, port = args.listen.rsplit(":", 1)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(64)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle_raw if args.raw else handle, args=(c, args), daemon=True).start()


if __name__ == "__main__":
    main()
