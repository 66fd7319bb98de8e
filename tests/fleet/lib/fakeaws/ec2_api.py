"""EC2 DescribeInstances (filters, MaxResults, NextToken) and the instance metadata service (IMDSv2)."""
import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from xml.sax.saxutils import escape

from .elbv2 import ApiError

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def filters_of(params):
    found = {}
    for k, v in params.items():
        parts = k.split(".")
        if parts[0] != "Filter" or len(parts) < 3 or not parts[1].isdigit():
            continue
        f = found.setdefault(int(parts[1]), {"name": None, "values": {}})
        if parts[2] == "Name":
            f["name"] = v
        elif parts[2] == "Value" and len(parts) == 4 and parts[3].isdigit():
            f["values"][int(parts[3])] = v
    return [(f["name"], [f["values"][n] for n in sorted(f["values"])]) for _, f in sorted(found.items())]


def matches(inst, name, values):
    if name == "instance-state-name":
        return inst.get("state", "running") in values
    if name == "instance-id":
        return inst["id"] in values
    if name == "tag-key":
        return any(k in values for k in inst.get("tags", {}))
    if name.startswith("tag:"):
        return inst.get("tags", {}).get(name[4:]) in values
    raise ApiError("InvalidParameterValue", "The filter '%s' is invalid" % name)


def instance_xml(i):
    tags = "".join("<item><key>%s</key><value>%s</value></item>" % (escape(k), escape(v))
                   for k, v in sorted(i.get("tags", {}).items()))
    codes = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
    state = i.get("state", "running")
    pub = "<ipAddress>%s</ipAddress>" % i["public_ip"] if i.get("public_ip") else ""
    return ("<item><instanceId>%s</instanceId><imageId>ami-0hoist</imageId><instanceState><code>%d</code><name>%s</name>"
            "</instanceState><privateIpAddress>%s</privateIpAddress>%s<instanceType>t3.micro</instanceType>"
            "<tagSet>%s</tagSet></item>" % (i["id"], codes.get(state, 16), state, i.get("private_ip", ""), pub, tags))


def describe_instances(seed, p):
    instances = seed.get("instances", [])
    filters = filters_of(p)
    chosen = [i for i in instances if all(matches(i, n, v) for n, v in filters)]
    max_results = int(p.get("MaxResults", "0") or 0)
    if max_results and not 5 <= max_results <= 1000:
        raise ApiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value "
                       "between 5 and 1000." % max_results)
    page = min(max_results or 1000, seed.get("ec2_page_size", 1000))
    key = hashlib.sha256(json.dumps(filters).encode()).hexdigest()[:12]
    start = 0
    if p.get("NextToken"):
        try:
            k, off = base64.urlsafe_b64decode(p["NextToken"]).decode().split(":")
            if k != key:
                raise ValueError
            start = int(off)
        except ValueError:
            raise ApiError("InvalidParameterValue", "The parameter NextToken is invalid for these filters")
    part = chosen[start:start + page]
    nxt = ""
    if start + page < len(chosen):
        nxt = "<nextToken>%s</nextToken>" % base64.urlsafe_b64encode(("%s:%d" % (key, start + page)).encode()).decode()
    res = "".join("<item><reservationId>r-%s</reservationId><ownerId>%s</ownerId><instancesSet>%s</instancesSet></item>"
                  % (i["id"][2:], seed.get("account", "123456789012"), instance_xml(i)) for i in part)
    return ('<DescribeInstancesResponse xmlns="%s"><requestId>%s</requestId><reservationSet>%s</reservationSet>%s'
            '</DescribeInstancesResponse>' % (NS, uuid.uuid4(), res, nxt))


ACTIONS = {"DescribeInstances": describe_instances}


class Imds:
    """IMDSv2 only: PUT /latest/api/token (TTL header required) gives a token; every GET needs it (else 401)."""

    def __init__(self, seed):
        self.cfg = seed.get("imds") or {}
        self.tokens = {}
        self.lock = threading.Lock()

    def handle(self, method, path, headers):
        """Returns (status, body, content type)."""
        if method == "PUT" and path == "/latest/api/token":
            ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return 400, "", "text/plain"
            tok = secrets.token_urlsafe(32)
            with self.lock:
                self.tokens[tok] = time.monotonic() + int(ttl)
            return 200, tok, "text/plain"
        if method != "GET":
            return 405, "", "text/plain"
        tok = headers.get("x-aws-ec2-metadata-token", "")
        with self.lock:
            ok = self.tokens.get(tok, 0) > time.monotonic()
        if not ok:
            return 401, "", "text/plain"
        role = self.cfg.get("role")
        base = "/latest/meta-data/iam/security-credentials/"
        if path == base and role:
            return 200, role, "text/plain"
        if role and path == base + role:
            c = self.cfg["credentials"]
            exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 6 * 3600))
            return 200, json.dumps({"Code": "Success", "LastUpdated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                    "Type": "AWS-HMAC", "AccessKeyId": c["access_key_id"],
                                    "SecretAccessKey": c["secret_access_key"], "Token": c["session_token"],
                                    "Expiration": exp}), "application/json"
        if path == "/latest/meta-data/placement/region" and self.cfg.get("region"):
            return 200, self.cfg["region"], "text/plain"
        return 404, "", "text/plain"
