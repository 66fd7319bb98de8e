#!/usr/bin/python3
"""A small Docker registry token issuer (the "token" auth flavour of the test fleet).

    token_issuer.py --listen ADDR:PORT --key KEY.pem --cert CERT.pem --issuer ISS --service SVC \
                    --users-file FILE (NAME:PASSWORD[:ACTIONS] lines) | --user NAME:PASSWORD[:ACTIONS] ...

GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...][&account=U]
     with Authorization: Basic  ->  {"token", "access_token", "expires_in", "issued_at"}
POST /token  (OAuth2 form: grant_type=password with username/password, or grant_type=refresh_token)
     -> same, plus "refresh_token" when access_type=offline or grant_type=refresh_token.

Users: ACTIONS is a comma list of the actions the user may be granted (default pull,push,delete,*);
a user is granted the intersection of what it asks for and what it may have. Missing or wrong
credentials: 401. The JWT is RS256-signed with `openssl dgst -sha256 -sign KEY` and carries the
certificate in the `x5c` header, which registry 2.8 verifies against its rootcertbundle.
"""
import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EXPIRES = 300


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Issuer:
    def __init__(self, a):
        self.key = a.key
        with open(a.cert) as f:
            pem = f.read()
        der_b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
        self.x5c = [der_b64]
        self.issuer = a.issuer
        self.service = a.service
        self.users = {}
        for u in a.user:
            parts = u.split(":")
            name, pw = parts[0], parts[1]
            acts = set((parts[2] if len(parts) > 2 and parts[2] else "pull,push,delete,*").split(","))
            self.users[name] = (pw, acts)
        self.refresh = {}
        self.lock = threading.Lock()

    def check(self, user, pw):
        u = self.users.get(user)
        return u is not None and secrets.compare_digest(u[0], pw)

    def sign(self, user, scopes, service):
        allowed = self.users[user][1]
        access = []
        for s in scopes:
            # type:name:actions, where name may contain ':' only for a port in registry scopes (rare)
            typ, _, rest = s.partition(":")
            name, _, acts = rest.rpartition(":")
            if not typ or not name:
                continue
            granted = [x for x in acts.split(",") if x in allowed]
            access.append({"type": typ, "name": name, "actions": granted})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {"iss": self.issuer, "sub": user, "aud": service or self.service,
                  "exp": now + EXPIRES, "nbf": now - 10, "iat": now,
                  "jti": secrets.token_hex(12), "access": access}
        signing_input = (b64u(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64u(json.dumps(claims, separators=(",", ":")).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                             input=signing_input.encode(), capture_output=True, check=True).stdout
        return signing_input + "." + b64u(sig), now


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hoist-fleet-token/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def reply(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def deny(self):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                   {"WWW-Authenticate": 'Basic realm="hoist-fleet-token"'})

    def basic(self):
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None
        try:
            user, _, pw = base64.b64decode(h[6:].strip()).decode().partition(":")
        except Exception:
            return None
        return user if ISSUER.check(user, pw) else None

    def issue(self, user, scopes, service, refresh=False):
        tok, now = ISSUER.sign(user, scopes, service)
        out = {"token": tok, "access_token": tok, "expires_in": EXPIRES,
               "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if refresh:
            rt = secrets.token_hex(16)
            with ISSUER.lock:
                ISSUER.refresh[rt] = user
            out["refresh_token"] = rt
        self.reply(200, out)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/healthz":
            return self.reply(200, {"ok": True})
        if u.path != "/token":
            return self.reply(404, {"error": "not found"})
        q = urllib.parse.parse_qs(u.query)
        user = self.basic()
        if user is None:
            return self.deny()
        scopes = []
        for s in q.get("scope", []):
            scopes += s.split(" ")
        self.issue(user, scopes, q.get("service", [None])[0], q.get("offline_token", [""])[0] == "true")

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        if u.path != "/token":
            return self.reply(404, {"error": "not found"})
        n = int(self.headers.get("Content-Length", "0") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        f = lambda k: form.get(k, [""])[0]
        gt = f("grant_type")
        user = None
        if gt == "password":
            if ISSUER.check(f("username"), f("password")):
                user = f("username")
        elif gt == "refresh_token":
            with ISSUER.lock:
                user = ISSUER.refresh.get(f("refresh_token"))
        if user is None:
            return self.reply(401, {"error": "invalid_grant"})
        scopes = f("scope").split(" ") if f("scope") else []
        self.issue(user, scopes, f("service") or None,
                   refresh=(f("access_type") == "offline" or gt == "refresh_token"))


def main():
    global ISSUER
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", action="append", default=[])
    # a file of NAME:PASSWORD[:ACTIONS] lines keeps the passwords off the command line (ps)
    p.add_argument("--users-file")
    a = p.parse_args()
    if a.users_file:
        with open(a.users_file) as f:
            a.user += [line.strip() for line in f if line.strip() and not line.startswith("#")]
    ISSUER = Issuer(a)
    host, port = a.listen.rsplit(":", 1)
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
