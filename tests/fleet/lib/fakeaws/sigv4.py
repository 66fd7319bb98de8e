"""SigV4 verification as AWS does it, written independently of hoist's C++ signer.

verify(...) recomputes the signature of a received request from the headers the client says it
signed and the body it sent, and returns None or the (code, message) AWS would answer with:
MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId or SignatureDoesNotMatch
(bad signature, wrong scope, clock skew beyond 15 minutes). `self_test(path)` runs the canonical
request / string to sign / signature steps over AWS's published test suite, so the verifier
itself is checked against AWS and not only against hoist.
"""
import calendar
import hashlib
import hmac
import json
import re
import time
import urllib.parse

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
MAX_SKEW_S = 15 * 60


def enc(s, keep_slash=False):
    return urllib.parse.quote(s, safe=UNRESERVED + ("/" if keep_slash else ""), encoding="utf-8")


def canonical_path(path):
    segs = []
    parts = path.split("/")
    for s in parts:
        if s in ("", "."):
            continue
        if s == "..":
            if segs:
                segs.pop()
            continue
        segs.append(s)
    out = "/" + "/".join(enc(s) for s in segs)
    if segs and parts[-1] in ("", ".", ".."):
        out += "/"
    return out


def canonical_query(query):
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        k, _, v = piece.partition("=")
        pairs.append((enc(urllib.parse.unquote(k)), enc(urllib.parse.unquote(v))))
    return "&".join("%s=%s" % kv for kv in sorted(pairs))


def trimall(v):
    return " ".join(v.split())


def canonical_request(method, path, query, headers, signed, body):
    """headers: list of (name, value) as received; signed: lower-case names, sorted."""
    lines = []
    for name in signed:
        vals = [trimall(v) for k, v in headers if k.lower() == name]
        lines.append("%s:%s\n" % (name, ",".join(vals)))
    return "\n".join([method, canonical_path(path), canonical_query(query), "".join(lines), ";".join(signed),
                      hashlib.sha256(body).hexdigest()])


def signing_key(secret, date, region, service):
    k = ("AWS4" + secret).encode()
    for m in (date, region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    return k


def string_to_sign(amz_date, scope, creq):
    return "AWS4-HMAC-SHA256\n%s\n%s\n%s" % (amz_date, scope, hashlib.sha256(creq.encode()).hexdigest())


def _header(headers, name):
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def verify(method, path, query, headers, body, keys, region, service, now=None):
    """keys: access key id -> {"secret": ..., "token": ... or None}."""
    auth = _header(headers, "authorization")
    if not auth:
        return "MissingAuthenticationToken", "Request is missing Authentication Token"
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "IncompleteSignature", "Unsupported AWS 'algorithm': '%s'" % auth.split(" ")[0]
    fields = {}
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        return "IncompleteSignature", " ".join("Authorization header requires '%s' parameter." % k for k in missing) + \
            " Authorization=" + auth.split("Signature=")[0]
    amz_date = _header(headers, "x-amz-date")
    if not amz_date or not re.fullmatch(r"\d{8}T\d{6}Z", amz_date.strip()):
        return "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    amz_date = amz_date.strip()
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return "IncompleteSignature", "Credential should be scoped to a valid region, not '%s'." % fields["Credential"]
    akid, date, sregion, sservice = scope[:4]
    if date != amz_date[:8]:
        return "SignatureDoesNotMatch", ("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                                         "from HTTP: '%s' != '%s', from '%s'." % (date, amz_date[:8], amz_date))
    if sregion != region:
        return "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '%s'." % sregion
    if sservice != service:
        return "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'." % service
    now = time.time() if now is None else now
    t = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    fmt = lambda x: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(x))
    if t < now - MAX_SKEW_S:
        return "SignatureDoesNotMatch", "Signature expired: %s is now earlier than %s (%s - 15 min.)" % (
            amz_date, fmt(now - MAX_SKEW_S), fmt(now))
    if t > now + MAX_SKEW_S:
        return "SignatureDoesNotMatch", "Signature not yet current: %s is still later than %s (%s + 15 min.)" % (
            amz_date, fmt(now + MAX_SKEW_S), fmt(now))
    key = keys.get(akid)
    if key is None:
        return "InvalidClientTokenId", "The security token included in the request is invalid."
    token = _header(headers, "x-amz-security-token")
    if (key.get("token") or None) != (token.strip() if token else None):
        return "InvalidClientTokenId", "The security token included in the request is invalid."
    signed = fields["SignedHeaders"].split(";")
    if signed != sorted(signed) or any(s != s.lower() for s in signed):
        return "SignatureDoesNotMatch", "SignedHeaders must be lower case and sorted"
    if "host" not in signed:
        return "IncompleteSignature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    creq = canonical_request(method, path, query, headers, signed, body)
    sts = string_to_sign(amz_date, "/".join(scope[1:]), creq)
    want = hmac.new(signing_key(key["secret"], date, region, service), sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, fields["Signature"]):
        return "SignatureDoesNotMatch", ("The request signature we calculated does not match the signature you provided. "
                                         "Check your AWS Secret Access Key and signing method. Consult the service "
                                         "documentation for details.")
    return None


def self_test(path):
    """Runs the suite's consistent cases through this module; returns (passed, failed names)."""
    with open(path) as f:
        suite = json.load(f)
    cfg = suite["config"]
    passed, failed = 0, []
    for t in suite["tests"]["all"]:
        if t["name"].startswith("post-x-www-form-urlencoded"):
            continue  # inconsistent files in the package; see tests/unit/aws/sigv4_vectors_test.cpp
        r = t["request"]
        headers = [tuple(h) for h in r["headers"]]
        signed = sorted({k.lower() for k, _ in headers})
        creq = canonical_request(r["method"], r["path"], r["query"], headers, signed, r["body"].encode())
        sts = string_to_sign(_header(headers, "x-amz-date"), t["authz"].split("Credential=")[1].split(",")[0]
                             .split("/", 1)[1], creq)
        sig = hmac.new(signing_key(cfg["secretAccessKey"], "20150830", cfg["region"], cfg["service"]), sts.encode(),
                       hashlib.sha256).hexdigest()
        if creq == t["creq"] and sts == t["sts"] and t["authz"].endswith("Signature=" + sig):
            passed += 1
        else:
            failed.append(t["name"])
    return passed, failed
