"""ECR GetAuthorizationToken in the JSON 1.1 protocol, with AWS's answer and error shapes.

Seed (all optional):
    "ecr": {"regions": ["eu-west-1"],          # regions the endpoint answers for (default: the seed's)
            "disabled_regions": ["ap-east-1"],  # opt-in regions not enabled: UnrecognizedClientException
            "denied_keys": ["AKIA..."],         # keys without ecr:GetAuthorizationToken: AccessDeniedException
            "ttl_s": 43200}                     # token lifetime (AWS: 12 hours)

The token's password is random, made once per endpoint and written to STATE_DIR/ecr-password
(mode 0600) so that a test can configure a registry that accepts exactly it; the log never holds it.
"""
import base64
import json
import os
import secrets
import threading
import time

from .elbv2 import ApiError

PREFIX = "AmazonEC2ContainerRegistry_V20150921."
# sigv4.verify's Query-protocol codes as the JSON protocol spells them
SIG_CODES = {"SignatureDoesNotMatch": ("InvalidSignatureException", 403),
             "InvalidClientTokenId": ("UnrecognizedClientException", 400),
             "IncompleteSignature": ("IncompleteSignatureException", 400),
             "MissingAuthenticationToken": ("MissingAuthenticationTokenException", 403)}


def json_request(body):
    """A JSON 1.1 request's body as a dict, or AWS's SerializationException."""
    try:
        req = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        raise ApiError("SerializationException", "Start of structure or map found where not expected.")
    if not isinstance(req, dict):
        raise ApiError("SerializationException", "Start of structure or map found where not expected.")
    return req


class Ecr:
    def __init__(self, seed, state_dir):
        cfg = seed.get("ecr", {})
        self.account = seed.get("account", "123456789012")
        self.regions = cfg.get("regions", [seed.get("region", "us-east-1")])
        self.disabled = cfg.get("disabled_regions", [])
        self.denied = set(cfg.get("denied_keys", []))
        self.ttl = cfg.get("ttl_s", 43200)
        self.password = secrets.token_urlsafe(48)
        path = os.path.join(state_dir, "ecr-password")
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password)
        os.replace(path + ".tmp", path)
        self.lock = threading.Lock()
        self.issued = 0

    def serves(self, region):
        return region in self.regions or region in self.disabled

    def handle(self, target, body, akid, region):
        """Returns the answer as a dict; raises ApiError with the JSON protocol's codes."""
        if region in self.disabled:
            raise ApiError("UnrecognizedClientException", "The security token included in the request is invalid.")
        op = target[len(PREFIX):] if target.startswith(PREFIX) else ""
        if op != "GetAuthorizationToken":
            raise ApiError("UnknownOperationException", "", 400)
        req = json_request(body)
        if akid in self.denied:
            raise ApiError("AccessDeniedException",
                           "User: arn:aws:iam::%s:user/hoist-test is not authorized to perform: "
                           "ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the "
                           "ecr:GetAuthorizationToken action" % self.account)
        with self.lock:
            self.issued += 1
        token = base64.b64encode(("AWS:" + self.password).encode()).decode()
        return {"authorizationData": [{"authorizationToken": token, "expiresAt": round(time.time() + self.ttl, 3),
                                       "proxyEndpoint": "https://%s.dkr.ecr.%s.amazonaws.com" % (self.account, region)}]}
