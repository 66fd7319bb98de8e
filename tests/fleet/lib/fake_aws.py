#!/usr/bin/python3
"""A local AWS endpoint for hoist's tests: ELBv2, EC2 (instances, launch templates:
fakeaws/launch_templates.py) and Auto Scaling (fakeaws/asg_api.py) Query APIs, ECR's
GetAuthorizationToken and SSM's GetParameter(s) (JSON 1.1, fakeaws/ecr_api.py, fakeaws/ssm_api.py),
plus IMDSv2.

    fake_aws.py --address A.B.C.D --seed SEED.json --state-dir DIR [--port N] [--imds-port N]
                [--fleet-json FLEET.json]
    fake_aws.py --self-test tests/unit/aws/vectors/sigv4-test-suite.json

Every API request must carry a valid SigV4 signature for one of the seed's credentials, checked as
AWS checks it (fakeaws/sigv4.py): otherwise HTTP 403 with AWS's XML error (SignatureDoesNotMatch,
InvalidClientTokenId, IncompleteSignature, MissingAuthenticationToken), including the 15-minute
date skew. The action picks the service (ELBv2 or EC2), whose signing name must match the
credential scope. State comes from the seed (target groups, listeners, instances) and behaves as
described in fakeaws/elbv2.py; with --fleet-json and `nginx_listener` in the seed, the fleet's
real nginx is rewritten to route exactly what that listener routes (fakeaws/nginx.py) and restored
on exit. Binds only the given address (never a wildcard). Writes DIR/ready.json
({"endpoint", "imds", "pid"}) once listening, logs requests to DIR/fake-aws.log (no secrets).
"""
import argparse
import ipaddress
import json
import os
import faulthandler
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer as _Threading
from xml.sax.saxutils import escape

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeaws import asg_api, ec2_api, ecr_api, elbv2_api, launch_templates, sigv4, ssm_api  # noqa: E402
from fakeaws.elbv2 import ApiError, Elbv2  # noqa: E402
from fakeaws.nginx import Nginx  # noqa: E402

class ThreadingHTTPServer(_Threading):
    request_queue_size = 64
    daemon_threads = True


SERVICES = {"elasticloadbalancing": ("2015-12-01", elbv2_api.ACTIONS),
            "ec2": ("2016-11-15", dict(ec2_api.ACTIONS, **launch_templates.ACTIONS)),
            "autoscaling": ("2011-01-01", asg_api.ACTIONS)}


class Fake:
    def __init__(self, seed, state_dir, fleet_json):
        self.seed, self.region = seed, seed.get("region", "us-east-1")
        self.logf = open(os.path.join(state_dir, "fake-aws.log"), "a", buffering=1)
        self.keys = {c["access_key_id"]: {"secret": c["secret_access_key"], "token": c.get("session_token")}
                     for c in seed.get("credentials", [])}
        if seed.get("imds", {}).get("credentials"):
            c = seed["imds"]["credentials"]
            self.keys[c["access_key_id"]] = {"secret": c["secret_access_key"], "token": c["session_token"]}
        instances = {i["id"]: i for i in seed.get("instances", [])}

        def resolve(iid):
            i = instances.get(iid)
            return i.get("private_ip") if i and i.get("state", "running") == "running" else None

        self.nginx = None
        self.elb = Elbv2(seed, resolve, self.changed)
        if fleet_json and seed.get("nginx_listener"):
            self.nginx = Nginx(fleet_json, lambda: self.elb.routed(seed["nginx_listener"]), self.log)
        self.imds = ec2_api.Imds(seed)
        self.ecr = ecr_api.Ecr(seed, state_dir)
        self.asg = asg_api.Asg(seed)
        self.ssm = ssm_api.Ssm(seed)
        self.templates = launch_templates.LaunchTemplates(seed)

    def log(self, line):
        self.logf.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))

    def changed(self):
        if self.nginx:
            self.nginx.sync()

    def handle_json(self, method, path, query, headers, body, target):
        """The JSON 1.1 protocol (ECR, SSM): returns (status, json text, extra headers)."""
        rid = str(uuid.uuid4())
        auth = next((v for k, v in headers if k.lower() == "authorization"), "")
        scope = auth.partition("Credential=")[2].split(",")[0].split("/")
        akid, region = (scope[0], scope[2]) if len(scope) == 5 else ("", self.region)
        svc = "ssm" if target.startswith(ssm_api.PREFIX) else "ecr"
        names = ""
        try:
            if svc == "ssm":
                serves = region == self.region
            else:
                serves = self.ecr.serves(region)
            bad = sigv4.verify(method, path, query, headers, body, self.keys, region if serves else self.region, svc)
            if bad:
                code, status = ecr_api.SIG_CODES.get(bad[0], (bad[0], 403))
                raise ApiError(code, bad[1], status)
            if svc == "ssm":
                try:  # the log names the parameters asked for, never a value
                    req = json.loads(body.decode("utf-8") or "{}")
                    names = " " + " ".join(req.get("Names") or [req.get("Name") or ""])
                except (ValueError, AttributeError, TypeError):
                    names = ""
                out = json.dumps(self.ssm.handle(target, body, akid, region))
            else:
                out = json.dumps(self.ecr.handle(target, body, akid, region))
            self.log("%s %s%s %s -> 200" % (svc, target.rpartition(".")[2], names, region))
            return 200, out, [("x-amzn-RequestId", rid)]
        except Exception as ex:  # noqa: BLE001 - a request always gets an answer
            e = ex if isinstance(ex, ApiError) else ApiError("ServerException", "fake-aws: %r" % ex, 500)
            self.log("%s %s%s %s -> %d %s: %s" % (svc, target.rpartition(".")[2], names, region, e.status, e.code,
                                                  e.message))
            return e.status, json.dumps({"__type": e.code, "message": e.message}), [
                ("x-amzn-RequestId", rid), ("x-amzn-ErrorType", e.code + ":")]

    def handle(self, method, path, query, headers, body):
        """Returns (status, xml)."""
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
        if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
            params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        action = params.get("Action", "")
        service = next((s for s, (_, acts) in SERVICES.items() if action in acts), None)
        fmt = "ec2" if service == "ec2" or (service is None and params.get("Version") == "2016-11-15") else "elb"
        try:
            if service is None:
                raise ApiError("InvalidAction", "The action %s is not valid for this web service." % action)
            bad = sigv4.verify(method, path, query, headers, body, self.keys, self.region, service)
            if bad:
                raise ApiError(bad[0], bad[1], 403)
            akid = next((v for k, v in headers if k.lower() == "authorization"), "").partition("Credential=")[2]
            akid = akid.split("/")[0]
            if action in self.seed.get("denied_actions", {}).get(akid, []) and service == "ec2":  # IAM says no
                raise ApiError("UnauthorizedOperation", "You are not authorized to perform this operation. User: "
                               "arn:aws:iam::%s:user/hoist-test is not authorized to perform: ec2:%s because no "
                               "identity-based policy allows the ec2:%s action. Encoded authorization failure "
                               "message: hoist-fake-encoded" % (self.seed.get("account", "123456789012"), action, action),
                               403)
            if action in self.seed.get("denied_actions", {}).get(akid, []):  # IAM says no
                raise ApiError("AccessDenied", "User: arn:aws:iam::%s:user/hoist-test is not authorized to perform: "
                               "%s:%s because no identity-based policy allows the %s:%s action" % (
                                   self.seed.get("account", "123456789012"), service, action, service, action), 403)
            version, acts = SERVICES[service]
            if params.get("Version") != version:
                raise ApiError("InvalidParameterValue", "Unsupported Version '%s' (expected %s)" % (
                    params.get("Version"), version))
            if service == "ec2" and action in launch_templates.ACTIONS:
                out = acts[action](self.templates, params)
            elif service == "ec2":
                out = acts[action](self.seed, params)
            elif service == "autoscaling":
                out = acts[action](self.asg, params)
            else:
                with self.elb.lock:
                    self.elb.just_drained = []
                    out = acts[action](self.elb, params)
                    drained = self.elb.just_drained
                if action in elbv2_api.MUTATING:
                    self.changed()
                with self.elb.lock:  # the delay starts once nginx no longer routes to them
                    for t, delay in drained:
                        t.drain_until = time.monotonic() + delay
            procs = " ".join(v for k, v in sorted(params.items()) if k.startswith("ScalingProcesses.member."))
            self.log("%s %s%s -> 200" % (service, action, " " + procs if procs else ""))
            return 200, out
        except Exception as ex:  # noqa: BLE001 - a request always gets an answer, never a dead thread
            e = ex if isinstance(ex, ApiError) else ApiError("InternalFailure", "fake-aws: %r" % ex, 500)
            self.log("%s %s -> %d %s: %s" % (service or "?", action, e.status, e.code, e.message))
            rid = uuid.uuid4()
            if fmt == "ec2":
                return e.status, ("<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
                                  "<RequestID>%s</RequestID></Response>" % (e.code, escape(e.message), rid))
            kind = "Sender" if e.status < 500 else "Receiver"
            return e.status, ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message>'
                              '</Error><RequestId>%s</RequestId></ErrorResponse>' % (
                                  asg_api.NS if service == "autoscaling" else elbv2_api.NS, kind, e.code,
                                  escape(e.message), rid))


def make_handler(fake, imds):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, ctype="text/xml", extra=()):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def serve(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            path, _, query = self.path.partition("?")
            if imds:
                hs = {k.lower(): v for k, v in self.headers.items()}
                status, text, ctype = fake.imds.handle(self.command, path, hs)
                fake.log("imds %s %s -> %d" % (self.command, path, status))
                return self.reply(status, text, ctype)
            target = self.headers.get("X-Amz-Target")
            if target:
                status, text, extra = fake.handle_json(self.command, path, query, list(self.headers.items()), body,
                                                       target)
                return self.reply(status, text, "application/x-amz-json-1.1", extra)
            status, xml = fake.handle(self.command, path, query, list(self.headers.items()), body)
            self.reply(status, xml)

        do_GET = do_POST = do_PUT = serve

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--imds-port", type=int, default=-1)
    ap.add_argument("--seed")
    ap.add_argument("--state-dir")
    ap.add_argument("--fleet-json")
    ap.add_argument("--self-test")
    a = ap.parse_args()
    if a.self_test:
        passed, failed = sigv4.self_test(a.self_test)
        print("%d passed, %d failed %s" % (passed, len(failed), " ".join(failed)))
        return 1 if failed or not passed else 0
    if not a.address or ipaddress.ip_address(a.address).is_unspecified:
        sys.exit("fake_aws.py: --address must be one specific test address, not a wildcard")
    with open(a.seed) as f:
        seed = json.load(f)
    os.makedirs(a.state_dir, exist_ok=True)
    fake = Fake(seed, a.state_dir, a.fleet_json)
    api = ThreadingHTTPServer((a.address, a.port), make_handler(fake, False))
    servers = [api]
    if a.imds_port >= 0:
        servers.append(ThreadingHTTPServer((a.address, a.imds_port), make_handler(fake, True)))
    for s in servers:
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    fake.elb.thread.start()
    if fake.nginx:
        fake.nginx.sync()
    # Handlers only set a flag: Event.set() from a handler can deadlock on the Event's own lock
    # when the signal lands while the main thread holds it (tests/fleet/loadgen hung that way).
    requested = []
    signal.signal(signal.SIGTERM, lambda *_: requested.append(1))
    signal.signal(signal.SIGINT, lambda *_: requested.append(1))
    d = os.environ.get("HOIST_STACKS_DIR")
    if d and os.path.isdir(d):  # the test watchdog asks for every thread's stack with SIGUSR1
        stacks = open(os.path.join(d, "%d.txt" % os.getpid()), "w")
        faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=True)
    ready = {"endpoint": "http://%s:%d" % api.server_address[:2], "pid": os.getpid(),
             "imds": "http://%s:%d" % servers[1].server_address[:2] if len(servers) > 1 else ""}
    tmp = os.path.join(a.state_dir, "ready.json.tmp")
    with open(tmp, "w") as f:
        json.dump(ready, f)
    os.replace(tmp, os.path.join(a.state_dir, "ready.json"))
    fake.log("listening: %s" % json.dumps(ready))
    while not requested:
        time.sleep(0.05)
    fake.elb.stop.set()
    for s in servers:
        s.shutdown()
    if fake.nginx:
        fake.nginx.restore()
    fake.log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
