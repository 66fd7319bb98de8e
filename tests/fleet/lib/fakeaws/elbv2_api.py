"""The ELBv2 Query API actions hoist uses, over the state in elbv2.py, answering AWS's XML shapes."""
import ipaddress
import time
import uuid
from xml.sax.saxutils import escape

from .elbv2 import ApiError, Target

NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"


def members(params, prefix):
    """Targets.member.N.Id -> [{"Id": ..}, ...] in N order."""
    found = {}
    for k, v in params.items():
        if k.startswith(prefix + ".member."):
            rest = k[len(prefix) + 8:]
            n, _, field = rest.partition(".")
            if n.isdigit():
                found.setdefault(int(n), {})[field] = v
    return [found[n] for n in sorted(found)]


def required(params, name):
    if not params.get(name):
        raise ApiError("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy "
                       "constraint: Member must not be null" % (name[0].lower() + name[1:]))
    return params[name]


def response(action, result):
    return ('<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s</RequestId>'
            '</ResponseMetadata></%sResponse>' % (action, NS, action, result, action, uuid.uuid4(), action))


def targets_of(elb, g, params):
    out = []
    for m in members(params, "Targets"):
        tid = m.get("Id", "")
        port = int(m.get("Port") or g["port"])
        if g["target_type"] == "ip":
            try:
                ipaddress.IPv4Address(tid)
            except ValueError:
                raise ApiError("ValidationError", "The IP address '%s' is not a valid IPv4 address" % tid)
        elif elb.resolve_instance(tid) is None:
            raise ApiError("InvalidTarget", "The following targets are not in a running state and cannot be "
                           "registered: '%s'" % tid)
        out.append((tid, port))
    if not out:
        raise ApiError("ValidationError", "1 validation error detected: Value null at 'targets' failed to satisfy "
                       "constraint: Member must not be null")
    return out


def register_targets(elb, p):
    g = elb.group(required(p, "TargetGroupArn"))
    for tid, port in targets_of(elb, g, p):
        t = next((t for t in g["targets"] if (t.id, t.port) == (tid, port)), None)
        if t is not None and t.state != "draining":
            continue  # registering a registered target changes nothing
        if t is not None:
            g["targets"].remove(t)
        g["targets"].append(Target(tid, port))
    return response("RegisterTargets", "")


def deregister_targets(elb, p):
    g = elb.group(required(p, "TargetGroupArn"))
    wanted = targets_of(elb, g, p)
    known = {(t.id, t.port): t for t in g["targets"]}
    missing = [tid for tid, port in wanted if (tid, port) not in known]
    if missing:
        raise ApiError("InvalidTarget", "The following targets are not registered in target group '%s': %s" % (
            g["arn"], ", ".join("'%s'" % m for m in missing)))
    for key in wanted:
        t = known[key]
        if t.state != "draining":
            t.state, t.reason, t.description = "draining", "Target.DeregistrationInProgress", \
                "Target deregistration is in progress"
            t.drain_until = time.monotonic() + g["deregistration_delay_s"]
            elb.just_drained.append((t, g["deregistration_delay_s"]))
    return response("DeregisterTargets", "")


def health_xml(tid, port, state, reason="", description=""):
    th = "<State>%s</State>" % state
    if reason:
        th += "<Reason>%s</Reason><Description>%s</Description>" % (reason, escape(description))
    return ("<member><HealthCheckPort>%d</HealthCheckPort><TargetHealth>%s</TargetHealth><Target><Port>%d</Port>"
            "<Id>%s</Id></Target></member>" % (port, th, port, escape(tid)))


def describe_target_health(elb, p):
    g = elb.group(required(p, "TargetGroupArn"))
    used = bool(elb.used_by(g["arn"]))
    asked = [(m.get("Id", ""), int(m.get("Port") or g["port"])) for m in members(p, "Targets")]
    out = []
    for tid, port in asked or [(t.id, t.port) for t in g["targets"]]:
        t = next((t for t in g["targets"] if (t.id, t.port) == (tid, port)), None)
        if t is None:
            out.append(health_xml(tid, port, "unused", "Target.NotRegistered", "Target is not registered to the target group"))
        elif not used and t.state != "draining":
            out.append(health_xml(tid, port, "unused", "Target.NotInUse",
                                  "Target group is not configured to receive traffic from the load balancer"))
        else:
            out.append(health_xml(tid, port, t.state, t.reason, t.description))
    return response("DescribeTargetHealth", "<TargetHealthDescriptions>%s</TargetHealthDescriptions>" % "".join(out))


def describe_target_group_attributes(elb, p):
    g = elb.group(required(p, "TargetGroupArn"))
    attrs = {"deregistration_delay.timeout_seconds": str(g["deregistration_delay_s"]), "stickiness.enabled": "false",
             "load_balancing.algorithm.type": "round_robin"}
    xml = "".join("<member><Key>%s</Key><Value>%s</Value></member>" % kv for kv in sorted(attrs.items()))
    return response("DescribeTargetGroupAttributes", "<Attributes>%s</Attributes>" % xml)


def describe_target_groups(elb, p):
    arns = [v for k, v in sorted(p.items()) if k.startswith("TargetGroupArns.member.")]
    groups = [elb.group(a) for a in arns] if arns else list(elb.groups.values())
    out = []
    for g in groups:
        lbs = "".join("<member>%s</member>" % escape(a) for a in elb.used_by(g["arn"]))
        out.append("<member><TargetGroupArn>%s</TargetGroupArn><TargetGroupName>%s</TargetGroupName><Protocol>%s"
                   "</Protocol><Port>%d</Port><TargetType>%s</TargetType><HealthCheckPath>%s</HealthCheckPath>"
                   "<Matcher><HttpCode>%s</HttpCode></Matcher><LoadBalancerArns>%s</LoadBalancerArns></member>" % (
                       escape(g["arn"]), escape(g["name"]), g["protocol"], g["port"], g["target_type"],
                       escape(g["health_check_path"]), g["matcher"], lbs))
    return response("DescribeTargetGroups", "<TargetGroups>%s</TargetGroups>" % "".join(out))


def listener_xml(l):
    acts = []
    for a in l["actions"]:
        x = "<Type>%s</Type>" % a["type"]
        if a["type"] == "forward":
            if len(a["groups"]) == 1:
                x += "<TargetGroupArn>%s</TargetGroupArn>" % escape(a["groups"][0]["arn"])
            x += "<ForwardConfig><TargetGroups>%s</TargetGroups><TargetGroupStickinessConfig><Enabled>false</Enabled>" \
                 "</TargetGroupStickinessConfig></ForwardConfig>" % "".join(
                     "<member><TargetGroupArn>%s</TargetGroupArn><Weight>%d</Weight></member>" % (escape(g["arn"]), g["weight"])
                     for g in a["groups"])
        acts.append("<member>%s</member>" % x)
    return ("<member><LoadBalancerArn>%s</LoadBalancerArn><Protocol>%s</Protocol><Port>%d</Port><ListenerArn>%s"
            "</ListenerArn><DefaultActions>%s</DefaultActions></member>" % (
                escape(l["load_balancer_arn"]), l.get("protocol", "HTTP"), l.get("port", 80), escape(l["arn"]), "".join(acts)))


def describe_listeners(elb, p):
    arns = [v for k, v in sorted(p.items()) if k.startswith("ListenerArns.member.")]
    ls = [elb.listener(a) for a in arns] if arns else [
        l for l in elb.listeners.values() if l["load_balancer_arn"] == p.get("LoadBalancerArn")]
    return response("DescribeListeners", "<Listeners>%s</Listeners>" % "".join(listener_xml(l) for l in ls))


def modify_listener(elb, p):
    l = elb.listener(required(p, "ListenerArn"))
    actions = members(p, "DefaultActions")
    if not actions:
        return response("ModifyListener", "<Listeners>%s</Listeners>" % listener_xml(l))
    new = []
    for a in actions:
        if a.get("Type") != "forward":
            raise ApiError("ValidationError", "this endpoint only models forward actions, got '%s'" % a.get("Type"))
        weighted = members({k[len("ForwardConfig."):]: v for k, v in a.items() if k.startswith("ForwardConfig.")},
                           "TargetGroups")
        groups = [{"arn": w.get("TargetGroupArn", ""), "weight": int(w.get("Weight", "1"))} for w in weighted]
        if a.get("TargetGroupArn"):
            if groups and [g["arn"] for g in groups] != [a["TargetGroupArn"]]:
                raise ApiError("ValidationError", "You cannot specify both a target group ARN and a forward config "
                               "with different target groups")
            groups = groups or [{"arn": a["TargetGroupArn"], "weight": 1}]
        if not groups or len(groups) > 5:
            raise ApiError("ValidationError", "A forward action needs 1 to 5 target groups")
        for g in groups:
            elb.group(g["arn"])
            if not 0 <= g["weight"] <= 999:
                raise ApiError("ValidationError", "Target group weights must be between 0 and 999")
        new.append({"type": "forward", "groups": groups})
    before = {g["arn"] for a in l["actions"] for g in a["groups"]}
    was_used = {arn: bool(elb.used_by(arn)) for arn in before | {g["arn"] for a in new for g in a["groups"]}}
    l["actions"] = new
    for arn, used in was_used.items():
        if not used and elb.used_by(arn):  # newly attached: health checks start from scratch
            for t in elb.groups[arn]["targets"]:
                if t.state != "draining":
                    t.__init__(t.id, t.port)
    return response("ModifyListener", "<Listeners>%s</Listeners>" % listener_xml(l))


ACTIONS = {
    "RegisterTargets": register_targets, "DeregisterTargets": deregister_targets,
    "DescribeTargetHealth": describe_target_health, "DescribeTargetGroupAttributes": describe_target_group_attributes,
    "DescribeTargetGroups": describe_target_groups, "DescribeListeners": describe_listeners,
    "ModifyListener": modify_listener,
}
MUTATING = {"RegisterTargets", "DeregisterTargets", "ModifyListener"}
