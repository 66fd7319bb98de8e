"""Auto Scaling (Query protocol, 2011-01-01): DescribeAutoScalingGroups (paged), SuspendProcesses and
ResumeProcesses, with AWS's answer and error shapes.

Seed:
    "auto_scaling_groups": [{"name": "web-asg",
                             "instances": [{"id": "i-...", "lifecycle_state": "InService",
                                            "health_status": "Healthy", "zone": "eu-west-1a"}],
                             "suspended": ["AZRebalance"],   # suspended before the test
                             "launch_template": {"id": "lt-...", "name": "web", "version": "$Latest"},
                             "launch_configuration": "web-lc"}],  # instead of a launch template
    "asg_page_size": 50                                         # at most this many groups per page
"""
import base64
import threading
import time
import uuid
from xml.sax.saxutils import escape

from .elbv2 import ApiError

NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
PROCESSES = ["Launch", "Terminate", "HealthCheck", "ReplaceUnhealthy", "AZRebalance", "AlarmNotification",
             "ScheduledActions", "AddToLoadBalancer", "InstanceRefresh"]


class Asg:
    def __init__(self, seed):
        self.region = seed.get("region", "us-east-1")
        self.account = seed.get("account", "123456789012")
        self.page = seed.get("asg_page_size", 50)
        self.lock = threading.Lock()
        self.groups = {}
        for g in seed.get("auto_scaling_groups", []):
            self.groups[g["name"]] = {"instances": g.get("instances", []),
                                      "suspended": {p: "User suspended at 2026-12-01T00:00:00Z"
                                                    for p in g.get("suspended", [])},
                                      "launch_template": g.get("launch_template"),
                                      "launch_configuration": g.get("launch_configuration")}

    def members(self, params, prefix):
        out = {}
        for k, v in params.items():
            if k.startswith(prefix + ".member."):
                n = k[len(prefix) + 8:]
                if not n.isdigit():
                    raise ApiError("ValidationError", "Invalid parameter %s" % k)
                out[int(n)] = v
        return [out[n] for n in sorted(out)]

    def group_xml(self, name, g):
        inst = "".join("<member><InstanceId>%s</InstanceId><InstanceType>t3.micro</InstanceType>"
                       "<AvailabilityZone>%s</AvailabilityZone><LifecycleState>%s</LifecycleState>"
                       "<HealthStatus>%s</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>" % (
                           i["id"], i.get("zone", self.region + "a"), i.get("lifecycle_state", "InService"),
                           i.get("health_status", "Healthy")) for i in g["instances"])
        sus = "".join("<member><ProcessName>%s</ProcessName><SuspensionReason>%s</SuspensionReason></member>" % (
            p, escape(r)) for p, r in sorted(g["suspended"].items()))
        lt = ""
        if g.get("launch_template"):
            t = g["launch_template"]
            lt = ("<LaunchTemplate><LaunchTemplateId>%s</LaunchTemplateId><LaunchTemplateName>%s</LaunchTemplateName>"
                  "<Version>%s</Version></LaunchTemplate>" % (t["id"], escape(t["name"]), escape(t["version"])))
        elif g.get("launch_configuration"):
            lt = "<LaunchConfigurationName>%s</LaunchConfigurationName>" % escape(g["launch_configuration"])
        arn = "arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s" % (
            self.region, self.account, uuid.uuid5(uuid.NAMESPACE_DNS, name), name)
        return ("<member><AutoScalingGroupName>%s</AutoScalingGroupName><AutoScalingGroupARN>%s</AutoScalingGroupARN>"
                "%s<MinSize>1</MinSize><MaxSize>10</MaxSize><DesiredCapacity>%d</DesiredCapacity><Instances>%s</Instances>"
                "<SuspendedProcesses>%s</SuspendedProcesses><HealthCheckType>EC2</HealthCheckType></member>" % (
                    escape(name), escape(arn), lt, len(g["instances"]), inst, sus))

    def describe(self, p):
        names = self.members(p, "AutoScalingGroupNames")
        max_records = int(p.get("MaxRecords", "50") or 50)
        if not 1 <= max_records <= 100:
            raise ApiError("ValidationError", "1 validation error detected: Value '%d' at 'maxRecords' failed to "
                           "satisfy constraint: Member must have value less than or equal to 100" % max_records)
        with self.lock:
            chosen = [n for n in sorted(self.groups) if not names or n in names]
            start = 0
            if p.get("NextToken"):
                try:
                    start = int(base64.urlsafe_b64decode(p["NextToken"]).decode())
                except ValueError:
                    raise ApiError("InvalidNextToken", "The token '%s' is invalid." % p["NextToken"])
            page = min(max_records, self.page)
            part = chosen[start:start + page]
            body = "".join(self.group_xml(n, self.groups[n]) for n in part)
        nxt = ""
        if start + page < len(chosen):
            nxt = "<NextToken>%s</NextToken>" % base64.urlsafe_b64encode(str(start + page).encode()).decode()
        return ('<DescribeAutoScalingGroupsResponse xmlns="%s"><DescribeAutoScalingGroupsResult><AutoScalingGroups>%s'
                '</AutoScalingGroups>%s</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>%s</RequestId>'
                '</ResponseMetadata></DescribeAutoScalingGroupsResponse>' % (NS, body, nxt, uuid.uuid4()))

    def processes(self, p, action):
        name = p.get("AutoScalingGroupName", "")
        procs = self.members(p, "ScalingProcesses")
        for x in procs:
            if x not in PROCESSES:
                raise ApiError("ValidationError", "Process '%s' is not a valid scaling process" % x)
        with self.lock:
            g = self.groups.get(name)
            if g is None:
                raise ApiError("ValidationError", "AutoScalingGroup name not found - AutoScalingGroup '%s' not found"
                               % name)
            for x in procs or PROCESSES:  # no list: every process, as AWS does
                if action == "SuspendProcesses":
                    g["suspended"].setdefault(x, "User suspended at %s" % time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                         time.gmtime()))
                else:
                    g["suspended"].pop(x, None)
        return '<%sResponse xmlns="%s"><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>' % (
            action, NS, uuid.uuid4(), action)


ACTIONS = {"DescribeAutoScalingGroups": lambda a, p: a.describe(p),
           "SuspendProcesses": lambda a, p: a.processes(p, "SuspendProcesses"),
           "ResumeProcesses": lambda a, p: a.processes(p, "ResumeProcesses")}
