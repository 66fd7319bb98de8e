"""SSM Parameter Store GetParameter and GetParameters in the JSON 1.1 protocol
(`X-Amz-Target: AmazonSSM.<Operation>`), with AWS's answer and error shapes.

Seed:
    "ssm_parameters": [{"name": "/web/prod/DB_PASSWORD", "type": "SecureString", "value": "..."}],
    "ssm": {"denied_keys": ["AKIA..."]}       # keys without ssm:GetParameter(s): AccessDeniedException

A SecureString read without WithDecryption answers its (fake) ciphertext, never the value.
"""
import base64
import hashlib
import time

from .ecr_api import json_request
from .elbv2 import ApiError

PREFIX = "AmazonSSM."


class Ssm:
    def __init__(self, seed):
        self.account = seed.get("account", "123456789012")
        self.params = {p["name"]: p for p in seed.get("ssm_parameters", [])}
        self.denied = set(seed.get("ssm", {}).get("denied_keys", []))

    def shape(self, p, decrypt, region):
        value = p["value"]
        if p.get("type") == "SecureString" and not decrypt:
            value = base64.b64encode(b"kms:" + hashlib.sha256(value.encode()).digest()).decode()
        arn_name = p["name"] if p["name"].startswith("/") else "/" + p["name"]
        return {"Name": p["name"], "Type": p.get("type", "String"), "Value": value, "Version": 1,
                "LastModifiedDate": round(time.time(), 3), "DataType": "text",
                "ARN": "arn:aws:ssm:%s:%s:parameter%s" % (region, self.account, arn_name)}

    def handle(self, target, body, akid, region):
        op = target[len(PREFIX):] if target.startswith(PREFIX) else ""
        if op not in ("GetParameter", "GetParameters"):
            raise ApiError("UnknownOperationException", "", 400)
        req = json_request(body)
        names = [req.get("Name")] if op == "GetParameter" else req.get("Names")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise ApiError("ValidationException", "1 validation error detected: Value null at '%s' failed to satisfy "
                           "constraint: Member must not be null" % ("name" if op == "GetParameter" else "names"))
        if len(names) > 10:
            raise ApiError("ValidationException", "1 validation error detected: Value at 'names' failed to satisfy "
                           "constraint: Member must have length less than or equal to 10")
        if akid in self.denied:
            raise ApiError("AccessDeniedException",
                           "User: arn:aws:iam::%s:user/hoist-test is not authorized to perform: ssm:%s on resource: "
                           "arn:aws:ssm:%s:%s:parameter%s because no identity-based policy allows the ssm:%s action"
                           % (self.account, op, region, self.account, names[0], op))
        decrypt = bool(req.get("WithDecryption"))
        if op == "GetParameter":
            p = self.params.get(names[0])
            if p is None:
                raise ApiError("ParameterNotFound", "")
            return {"Parameter": self.shape(p, decrypt, region)}
        found = [self.shape(self.params[n], decrypt, region) for n in names if n in self.params]
        return {"Parameters": found, "InvalidParameters": [n for n in names if n not in self.params]}
