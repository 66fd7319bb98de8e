"""EC2 launch templates (Query protocol, 2016-11-15): CreateLaunchTemplateVersion,
DescribeLaunchTemplateVersions (paged), ModifyLaunchTemplate (SetDefaultVersion) and
DeleteLaunchTemplateVersions, with AWS's answer and error shapes.

Seed:
    "launch_templates": [{"id": "lt-0123456789abcdef0", "name": "web",
                          "versions": [{"number": 1, "description": "base", "user_data": "<base64>"}],
                          "default": 1}],
    "lt_page_size": 20          # at most this many versions per DescribeLaunchTemplateVersions page

The user data is kept as it was sent (base64), so a test reads exactly what an instance would get.
"""
import base64
import threading
import time
import uuid
from xml.sax.saxutils import escape

from .elbv2 import ApiError

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
USER_DATA_MAX = 16384  # bytes before base64, as EC2 limits it


def indexed(params, prefix):
    out = {}
    for k, v in params.items():
        if k.startswith(prefix + "."):
            n = k[len(prefix) + 1:]
            if not n.isdigit():
                raise ApiError("InvalidParameterValue", "Invalid parameter %s" % k)
            out[int(n)] = v
    return [out[n] for n in sorted(out)]


class LaunchTemplates:
    def __init__(self, seed):
        self.account = seed.get("account", "123456789012")
        self.page = seed.get("lt_page_size", 20)
        self.lock = threading.Lock()
        self.templates = {}
        for t in seed.get("launch_templates", []):
            self.templates[t["id"]] = {
                "name": t["name"], "default": t.get("default", 1),
                "versions": {v["number"]: {"description": v.get("description", ""), "user_data": v.get("user_data", ""),
                                           "created": "2026-12-01T00:00:00.000Z"} for v in t.get("versions", [])}}

    def find(self, p):
        """The template named by LaunchTemplateId or LaunchTemplateName (exactly one of them)."""
        tid, name = p.get("LaunchTemplateId"), p.get("LaunchTemplateName")
        if bool(tid) == bool(name):
            raise ApiError("MissingParameter", "The request must contain exactly one of LaunchTemplateId or "
                           "LaunchTemplateName")
        if tid:
            if tid not in self.templates:
                raise ApiError("InvalidLaunchTemplateId.NotFound",
                               "The specified launch template, with template ID %s, does not exist." % tid)
            return tid, self.templates[tid]
        for k, t in self.templates.items():
            if t["name"] == name:
                return k, t
        raise ApiError("InvalidLaunchTemplateName.NotFoundException",
                       "The specified launch template, with template name %s, does not exist." % name)

    def resolve(self, t, v):
        if v == "$Latest":
            return max(t["versions"])
        if v == "$Default":
            return t["default"]
        if not v.isdigit() or int(v) not in t["versions"]:
            raise ApiError("InvalidLaunchTemplateId.VersionNotFound",
                           "Could not find launch template version %s" % v)
        return int(v)

    def version_xml(self, tid, t, n, tag="item"):
        v = t["versions"][n]
        ud = "<userData>%s</userData>" % escape(v["user_data"]) if v["user_data"] else ""
        return ("<%s><launchTemplateId>%s</launchTemplateId><launchTemplateName>%s</launchTemplateName>"
                "<versionNumber>%d</versionNumber><versionDescription>%s</versionDescription>"
                "<createTime>%s</createTime><createdBy>arn:aws:iam::%s:user/hoist-test</createdBy>"
                "<defaultVersion>%s</defaultVersion><launchTemplateData><imageId>ami-0hoist</imageId>%s"
                "</launchTemplateData></%s>" % (
                    tag, tid, escape(t["name"]), n, escape(v["description"]), v["created"], self.account,
                    "true" if n == t["default"] else "false", ud, tag))

    def create_version(self, p):
        desc = p.get("VersionDescription", "")
        if len(desc) > 255:
            raise ApiError("InvalidParameterValue", "Value for parameter VersionDescription is too long (max 255)")
        with self.lock:
            tid, t = self.find(p)
            src = t["versions"][self.resolve(t, p["SourceVersion"])] if p.get("SourceVersion") else None
            ud = p.get("LaunchTemplateData.UserData")
            if ud is None:
                ud = src["user_data"] if src else ""
            try:
                raw = base64.b64decode(ud, validate=True)
            except ValueError:
                raise ApiError("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.")
            if len(raw) > USER_DATA_MAX:
                raise ApiError("InvalidParameterValue", "User data is limited to 16384 bytes")
            n = max(t["versions"]) + 1
            t["versions"][n] = {"description": desc, "user_data": ud,
                                "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
            body = self.version_xml(tid, t, n, "launchTemplateVersion")
        return ('<CreateLaunchTemplateVersionResponse xmlns="%s"><requestId>%s</requestId>%s'
                '</CreateLaunchTemplateVersionResponse>' % (NS, uuid.uuid4(), body))

    def describe_versions(self, p):
        wanted = indexed(p, "LaunchTemplateVersion")
        max_results = int(p.get("MaxResults", "0") or 0)
        if max_results and not 1 <= max_results <= 200:
            raise ApiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a "
                           "value between 1 and 200." % max_results)
        with self.lock:
            tid, t = self.find(p)
            numbers = sorted({self.resolve(t, v) for v in wanted}) if wanted else sorted(t["versions"])
            start = 0
            if p.get("NextToken"):
                try:
                    k, off = base64.urlsafe_b64decode(p["NextToken"]).decode().split(":")
                    if k != tid:
                        raise ValueError
                    start = int(off)
                except ValueError:
                    raise ApiError("InvalidNextToken", "The specified token is invalid")
            page = min(max_results or 200, self.page)
            part = numbers[start:start + page]
            body = "".join(self.version_xml(tid, t, n) for n in part)
        nxt = ""
        if start + page < len(numbers):
            nxt = "<nextToken>%s</nextToken>" % base64.urlsafe_b64encode(("%s:%d" % (tid, start + page)).encode()).decode()
        return ('<DescribeLaunchTemplateVersionsResponse xmlns="%s"><requestId>%s</requestId>'
                '<launchTemplateVersionSet>%s</launchTemplateVersionSet>%s</DescribeLaunchTemplateVersionsResponse>' % (
                    NS, uuid.uuid4(), body, nxt))

    def modify(self, p):
        with self.lock:
            tid, t = self.find(p)
            if p.get("SetDefaultVersion"):
                t["default"] = self.resolve(t, p["SetDefaultVersion"])
            body = ("<launchTemplate><launchTemplateId>%s</launchTemplateId><launchTemplateName>%s</launchTemplateName>"
                    "<defaultVersionNumber>%d</defaultVersionNumber><latestVersionNumber>%d</latestVersionNumber>"
                    "</launchTemplate>" % (tid, escape(t["name"]), t["default"], max(t["versions"])))
        return '<ModifyLaunchTemplateResponse xmlns="%s"><requestId>%s</requestId>%s</ModifyLaunchTemplateResponse>' % (
            NS, uuid.uuid4(), body)

    def delete_versions(self, p):
        wanted = indexed(p, "LaunchTemplateVersion")
        if not wanted:
            raise ApiError("MissingParameter", "The request must contain the parameter LaunchTemplateVersion")
        if len(wanted) > 200:
            raise ApiError("InvalidParameterValue", "You can delete up to 200 launch template versions at a time")
        ok, bad = [], []
        with self.lock:
            tid, t = self.find(p)
            for v in wanted:
                n = int(v) if v.isdigit() else -1
                if n not in t["versions"]:
                    bad.append((v, "launchTemplateVersionDoesNotExist", "The specified launch template version does "
                                "not exist."))
                elif n == t["default"]:
                    bad.append((v, "unexpectedError", "You cannot delete the default version of a launch template."))
                else:
                    del t["versions"][n]
                    ok.append(n)
            name = escape(t["name"])
        oks = "".join("<item><launchTemplateId>%s</launchTemplateId><launchTemplateName>%s</launchTemplateName>"
                      "<versionNumber>%d</versionNumber></item>" % (tid, name, n) for n in ok)
        bads = "".join("<item><launchTemplateId>%s</launchTemplateId><launchTemplateName>%s</launchTemplateName>"
                       "<versionNumber>%s</versionNumber><responseError><code>%s</code><message>%s</message>"
                       "</responseError></item>" % (tid, name, escape(v), c, escape(m)) for v, c, m in bad)
        return ('<DeleteLaunchTemplateVersionsResponse xmlns="%s"><requestId>%s</requestId>'
                '<successfullyDeletedLaunchTemplateVersionSet>%s</successfullyDeletedLaunchTemplateVersionSet>'
                '<unsuccessfullyDeletedLaunchTemplateVersionSet>%s</unsuccessfullyDeletedLaunchTemplateVersionSet>'
                '</DeleteLaunchTemplateVersionsResponse>' % (NS, uuid.uuid4(), oks, bads))


ACTIONS = {"CreateLaunchTemplateVersion": lambda lt, p: lt.create_version(p),
           "DescribeLaunchTemplateVersions": lambda lt, p: lt.describe_versions(p),
           "ModifyLaunchTemplate": lambda lt, p: lt.modify(p),
           "DeleteLaunchTemplateVersions": lambda lt, p: lt.delete_versions(p)}
