#pragma once
// A small in-memory ELBv2 for the ALB driver's unit tests: target groups with registered targets
// and their states, one listener, and a log of every call. Time is counted in DescribeTargetHealth
// calls: a registered target is `initial` for `initial_polls` calls on its group, then `healthy`
// (or whatever `verdict` says); a deregistered one is `draining` for `drain_polls` calls, then gone.
// The integration tests run the real driver against tests/fleet/lib/fake_aws.py instead.
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "aws/elbv2.hpp"
#include "aws/error.hpp"
#include "util/strings.hpp"

namespace hoist::lb::test {

struct FakeTarget {
    aws::Target target;
    std::string state;
    int polls = 0;  ///< DescribeTargetHealth calls left in this state
};

struct FakeGroup {
    aws::TargetGroup info;
    int delay_s = 30;
    std::vector<FakeTarget> targets;
};

class FakeElbv2 : public aws::Elbv2Api {
public:
    std::map<std::string, FakeGroup> groups;
    aws::Listener listener;
    std::vector<std::string> calls;
    int initial_polls = 1;
    int drain_polls = 2;
    std::map<std::string, std::string> verdict;       ///< target id -> state after initial (default healthy)
    std::string fail_action;                          ///< this action throws AccessDenied
    std::function<void(const std::string&)> on_call;  ///< runs after each call is recorded

    void add_group(const std::string& arn, const std::string& type,
                   std::vector<std::string> lbs = {"arn:lb"}) {
        groups[arn].info = {arn, arn.substr(arn.rfind('/') + 1), "HTTP", type, 80, std::move(lbs)};
    }
    void add_target(const std::string& arn, const std::string& id, int port,
                    const std::string& state = "healthy") {
        groups[arn].targets.push_back({{id, port}, state, 0});
    }
    std::string state_of(const std::string& arn, const std::string& id) {
        for (auto& t : groups[arn].targets)
            if (t.target.id == id) return t.state;
        return "none";
    }
    int count(const std::string& prefix) const {
        return static_cast<int>(std::count_if(calls.begin(), calls.end(),
                                              [&](const std::string& c) { return c.rfind(prefix, 0) == 0; }));
    }

    void register_targets(const std::string& g, const std::vector<aws::Target>& ts) override {
        record("RegisterTargets", g, ts);
        for (const auto& t : ts) {
            auto& v = groups.at(g).targets;
            v.erase(std::remove_if(v.begin(), v.end(), [&](const FakeTarget& f) { return f.target == t; }),
                    v.end());
            v.push_back({t, "initial", initial_polls});
        }
    }
    void deregister_targets(const std::string& g, const std::vector<aws::Target>& ts) override {
        record("DeregisterTargets", g, ts);
        for (auto& f : groups.at(g).targets)
            if (std::find(ts.begin(), ts.end(), f.target) != ts.end()) {
                f.state = "draining";
                f.polls = drain_polls;
            }
    }
    std::vector<aws::TargetHealth> describe_target_health(const std::string& g,
                                                          const std::vector<aws::Target>& ts) override {
        record("DescribeTargetHealth", g, ts);
        auto& grp = groups.at(g);
        for (auto& f : grp.targets) {
            if (f.polls > 0) {
                --f.polls;
                continue;
            }
            if (f.state == "initial")
                f.state = verdict.count(f.target.id) ? verdict[f.target.id] : "healthy";
            else if (f.state == "draining")
                f.state = "gone";
        }
        grp.targets.erase(std::remove_if(grp.targets.begin(), grp.targets.end(),
                                         [](const FakeTarget& f) { return f.state == "gone"; }),
                          grp.targets.end());
        bool used = !grp.info.load_balancer_arns.empty();
        std::vector<aws::TargetHealth> out;
        for (const auto& f : grp.targets) {
            if (!ts.empty() && std::find(ts.begin(), ts.end(), f.target) == ts.end()) continue;
            aws::TargetHealth h{f.target, used ? f.state : "unused", "", ""};
            if (!used) h.reason = "Target.NotInUse";
            if (h.state == "unhealthy") {
                h.reason = "Target.ResponseCodeMismatch";
                h.description = "Health checks failed with these codes: [404]";
            }
            out.push_back(h);
        }
        for (const auto& t : ts)
            if (std::none_of(out.begin(), out.end(),
                             [&](const aws::TargetHealth& h) { return h.target == t; }))
                out.push_back(
                    {t, "unused", "Target.NotRegistered", "Target is not registered to the target group"});
        return out;
    }
    std::map<std::string, std::string> describe_target_group_attributes(const std::string& g) override {
        record("DescribeTargetGroupAttributes", g, {});
        return {{"deregistration_delay.timeout_seconds", std::to_string(groups.at(g).delay_s)}};
    }
    aws::TargetGroup describe_target_group(const std::string& g) override {
        record("DescribeTargetGroups", g, {});
        if (!groups.count(g))
            throw aws::Error("TargetGroupNotFound", "One or more target groups not found", 400);
        return groups.at(g).info;
    }
    aws::Listener describe_listener(const std::string& l) override {
        record("DescribeListeners", l, {});
        return listener;
    }
    void modify_listener_forward(const std::string& l, const std::vector<aws::WeightedGroup>& gs) override {
        std::vector<std::string> parts;
        for (const auto& g : gs) parts.push_back(g.arn + "=" + std::to_string(g.weight));
        calls.push_back("ModifyListener " + l + " " + join(parts, ","));
        if (on_call) on_call(calls.back());
        if (fail_action == "ModifyListener") throw aws::Error("AccessDenied", "not authorized", 403);
        listener.forward = gs;
        for (const auto& g : gs) {
            auto& lbs = groups.at(g.arn).info.load_balancer_arns;
            if (std::find(lbs.begin(), lbs.end(), listener.load_balancer_arn) == lbs.end())
                lbs.push_back(listener.load_balancer_arn);
        }
    }

private:
    void record(const std::string& action, const std::string& on, const std::vector<aws::Target>& ts) {
        std::vector<std::string> parts;
        for (const auto& t : ts) parts.push_back(t.id + ":" + std::to_string(t.port));
        calls.push_back(action + " " + on + (parts.empty() ? "" : " " + join(parts, ",")));
        if (on_call) on_call(calls.back());
        if (fail_action == action) throw aws::Error("AccessDenied", "not authorized", 403);
    }
};

}  // namespace hoist::lb::test
