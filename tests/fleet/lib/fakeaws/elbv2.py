"""Target groups, listeners and target health with the semantics of a real Application Load Balancer.

- RegisterTargets: the target is `initial` (Elb.RegistrationInProgress) until this endpoint's own
  HTTP health checks (GET <health_check_path> on the target, every `interval_ms`) pass
  `healthy_threshold` times in a row -> `healthy`, or fail `unhealthy_threshold` times ->
  `unhealthy` (Target.ResponseCodeMismatch / Target.Timeout / Target.FailedHealthChecks).
  Healthy and unhealthy targets keep being checked and can change state again.
- DeregisterTargets: `draining` (Target.DeregistrationInProgress) for the group's
  deregistration_delay.timeout_seconds, then the target is gone. The delay is counted from the
  moment nginx stopped routing to the target (an ALB stops at once; our nginx reload takes up to a
  second on a busy machine, which must not eat into the time in-flight requests are given).
- A group that no listener forwards to is not health-checked: its targets read `unused`
  (Target.NotInUse), as on AWS; once a listener uses it they start again from `initial`.
- Routing (what `routed()` returns, and what drives nginx): for each target group of the
  listener's forward action with weight > 0, its `healthy` targets; when none is healthy, ALB
  "fails open" and routes to all of its registered targets that are not draining. Draining
  targets never get new requests.
"""
import threading
import time
import urllib.request
import urllib.error


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Target:
    def __init__(self, tid, port, state="initial"):
        self.id, self.port, self.state = tid, port, state
        self.reason, self.description = "", ""
        self.passes = self.fails = 0
        self.next_check = 0.0
        self.drain_until = 0.0
        if state == "initial":
            self.reason, self.description = "Elb.RegistrationInProgress", "Target registration is in progress"


class Elbv2:
    def __init__(self, seed, resolve_instance, on_change):
        self.lock = threading.RLock()
        self.on_change = on_change  # called (outside the lock) after anything that may change routing
        self.resolve_instance = resolve_instance
        h = seed.get("health", {})
        self.interval = h.get("interval_ms", 500) / 1000.0
        self.healthy_threshold = h.get("healthy_threshold", 2)
        self.unhealthy_threshold = h.get("unhealthy_threshold", 2)
        self.timeout = h.get("timeout_ms", 1000) / 1000.0
        self.groups, self.listeners = {}, {}
        for g in seed.get("target_groups", []):
            g = dict(g)
            g.setdefault("target_type", "ip")
            g.setdefault("protocol", "HTTP")
            g.setdefault("deregistration_delay_s", 300)
            g.setdefault("health_check_path", "/")
            g.setdefault("matcher", "200")
            g["name"] = g.get("name") or g["arn"].split("/")[1]
            g["targets"] = [Target(t["id"], t.get("port", g["port"]), t.get("state", "initial"))
                            for t in g.get("targets", [])]
            self.groups[g["arn"]] = g
        for lb in seed.get("load_balancers", []):
            for l in lb.get("listeners", []):
                l = dict(l, load_balancer_arn=lb["arn"])
                l["actions"] = [self._action(a) for a in l.pop("default_actions")]
                self.listeners[l["arn"]] = l
        self.just_drained = []  # (target, delay) deregistered by the request being handled
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._checker, daemon=True)

    @staticmethod
    def _action(a):
        groups = a.get("forward") or ([{"arn": a["target_group_arn"], "weight": 1}] if a.get("target_group_arn") else [])
        return {"type": a.get("type", "forward"), "groups": groups}

    # --- lookups ------------------------------------------------------------------------------
    def group(self, arn):
        g = self.groups.get(arn)
        if g is None:
            raise ApiError("TargetGroupNotFound", "One or more target groups not found")
        return g

    def listener(self, arn):
        l = self.listeners.get(arn)
        if l is None:
            raise ApiError("ListenerNotFound", "One or more listeners not found")
        return l

    def used_by(self, arn):
        """Load balancer ARNs whose listeners forward to group `arn` (any weight)."""
        return sorted({l["load_balancer_arn"] for l in self.listeners.values() for a in l["actions"]
                       for g in a["groups"] if g["arn"] == arn})

    def address(self, group, target):
        return self.resolve_instance(target.id) if group["target_type"] == "instance" else target.id

    # --- health -------------------------------------------------------------------------------
    def _check(self, group, target):
        url = "http://%s:%d%s" % (self.address(group, target), target.port, group["health_check_path"])
        lo, _, hi = group["matcher"].partition("-")
        try:
            with urllib.request.urlopen(urllib.request.Request(url), timeout=self.timeout) as r:
                code = r.status
        except urllib.error.HTTPError as e:
            code = e.code
        except OSError as e:
            timeout = "timed out" in str(e)
            return False, ("Target.Timeout", "Request timed out") if timeout else \
                ("Target.FailedHealthChecks", "Health checks failed")
        if int(lo) <= code <= int(hi or lo):
            return True, None
        return False, ("Target.ResponseCodeMismatch", "Health checks failed with these codes: [%d]" % code)

    def _checker(self):
        while not self.stop.wait(0.05):
            now, due = time.monotonic(), []
            changed = False
            with self.lock:
                for g in self.groups.values():
                    before = len(g["targets"])
                    g["targets"] = [t for t in g["targets"] if not (t.state == "draining" and now >= t.drain_until)]
                    changed |= len(g["targets"]) != before
                    if not self.used_by(g["arn"]):
                        continue
                    for t in g["targets"]:
                        if t.state != "draining" and now >= t.next_check:
                            t.next_check = now + self.interval
                            due.append((g, t))
            results = []
            threads = [threading.Thread(target=lambda g=g, t=t: results.append((g, t, self._check(g, t))))
                       for g, t in due]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            with self.lock:
                for g, t, (ok, why) in results:
                    if t.state == "draining" or t not in g["targets"]:
                        continue
                    old = t.state
                    if ok:
                        t.passes, t.fails = t.passes + 1, 0
                        if t.state != "healthy" and t.passes >= self.healthy_threshold:
                            t.state, t.reason, t.description = "healthy", "", ""
                        elif t.state == "initial":
                            t.reason, t.description = "Elb.InitialHealthChecking", "Initial health checks in progress"
                    else:
                        t.passes, t.fails = 0, t.fails + 1
                        if t.state != "unhealthy" and t.fails >= self.unhealthy_threshold:
                            t.state = "unhealthy"
                        if t.state == "unhealthy":
                            t.reason, t.description = why
                    changed |= t.state != old
            if changed:
                self.on_change()

    # --- routing ------------------------------------------------------------------------------
    def routed(self, listener_arn):
        """[(address, port, weight)] the listener sends new requests to (see the module comment)."""
        with self.lock:
            l = self.listeners.get(listener_arn)
            if not l or not l["actions"] or l["actions"][0]["type"] != "forward":
                return []
            out = []
            for wg in l["actions"][0]["groups"]:
                g = self.groups.get(wg["arn"])
                if not g or wg["weight"] <= 0:
                    continue
                live = [t for t in g["targets"] if t.state != "draining"]
                healthy = [t for t in live if t.state == "healthy"]
                chosen = healthy or live
                for t in chosen:
                    out.append((self.address(g, t), t.port, wg["weight"], len(chosen)))
            return out
