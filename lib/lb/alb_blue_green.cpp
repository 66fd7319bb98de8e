// ALB blue/green: registration per colour, then the listener switch (see alb.hpp).
//
// Order matters for zero failed requests. An ALB whose forward target group has no healthy target
// "fails open" and sends requests to every target in it, healthy or not, so the listener must not
// point at the new colour before its targets pass the ALB's own checks; and the ALB only checks
// targets of groups it uses, hence the weight-0 attach first. The switch itself is one
// ModifyListener call, so no request ever sees a mix that was not asked for.
#include <algorithm>
#include <set>

#include "aws/error.hpp"
#include "lb/alb.hpp"
#include "util/strings.hpp"

namespace hoist::lb {

std::optional<Pool> AlbBalancer::observe_listener() {
    aws::Listener l = m_api->describe_listener(m_options.listener_arn);
    Pool pool;
    for (const auto& g : l.forward) {
        if (g.weight <= 0 || (g.arn != m_options.blue_group && g.arn != m_options.green_group)) continue;
        for (const auto& t : m_api->describe_target_health(g.arn, {})) pool.push_back(member_of(t));
    }
    if (pool.empty()) return std::nullopt;
    return pool;
}

void AlbBalancer::apply_blue_green(const Pool& pool) {
    std::map<std::string, std::vector<Member>> listed;  // group -> its members in the pool
    std::set<std::string> enabled_groups;
    for (const auto& m : pool) {
        std::string g = group_of(m);
        listed[g].push_back(m);
        if (m.enabled) enabled_groups.insert(g);
    }
    if (enabled_groups.size() > 1)
        throw Error(name() + ": the pool enables both colours (" + describe(pool) +
                    "); a blue/green listener serves one colour at a time");
    std::string to = enabled_groups.empty() ? "" : *enabled_groups.begin();
    for (const auto& [group, members] : listed) {
        std::vector<Member> desired;
        for (const auto& m : members)
            if (group != to || m.enabled) desired.push_back(m);  // the idle colour: known, health-checked
        sync_group(group, desired);
    }
    if (to.empty()) return;  // registration only: traffic stays where it is

    aws::Listener l = m_api->describe_listener(m_options.listener_arn);
    if (l.action_types != std::vector<std::string>{"forward"})
        throw Error(name() + ": the listener's default actions are [" + join(l.action_types, ", ") +
                    "]; hoist switches only a listener whose default action is a single forward");
    std::vector<std::string> active;
    for (const auto& g : l.forward)
        if (g.weight > 0) active.push_back(g.arn);
    if (active == std::vector<std::string>{to}) return;  // already serving this colour
    std::string other = to == m_options.blue_group ? m_options.green_group : m_options.blue_group;
    std::string from = std::find(active.begin(), active.end(), other) != active.end() ? other : "";
    std::vector<Member> enabled;
    for (const auto& m : listed[to])
        if (m.enabled) enabled.push_back(m);
    switch_listener(to, from, l, enabled);
}

void AlbBalancer::switch_listener(const std::string& to, const std::string& from, const aws::Listener& l,
                                  const std::vector<Member>& members) {
    // 1. The ALB health-checks only groups it uses: attach `to` with weight 0 if it is not used yet.
    aws::TargetGroup info = m_api->describe_target_group(to);
    m_groups[to] = info;
    bool used = std::find(info.load_balancer_arns.begin(), info.load_balancer_arns.end(),
                          l.load_balancer_arn) != info.load_balancer_arns.end();
    bool in_forward =
        std::any_of(l.forward.begin(), l.forward.end(), [&](const auto& g) { return g.arn == to; });
    if (!used && !in_forward) {
        auto groups = l.forward;
        groups.push_back({to, 0});
        m_log("alb: add " + describe_group(to) +
              " to the listener's forward action with weight 0, so that the ALB "
              "health-checks it (no traffic yet)");
        m_api->modify_listener_forward(m_options.listener_arn, groups);
    }
    // 2. Its targets must pass the ALB's checks before any request goes there.
    wait_group_healthy(to, members, m_options.switch_health_limit);

    // 3. Canary steps, then everything in one call; the old colour stays attached with weight 0.
    std::string other = to == m_options.blue_group ? m_options.green_group : m_options.blue_group;
    auto restore = [&] {
        m_warn("alb: canary failed: all traffic back to " + describe_group(from));
        m_api->modify_listener_forward(m_options.listener_arn, {{from, 1}, {to, 0}});
    };
    std::vector<aws::Target> targets;
    for (const auto& m : members) targets.push_back(target_of(to, m));
    for (int pct : m_options.canary) {
        if (from.empty()) break;  // nothing served yet: no one to share traffic with
        m_log("alb: canary: " + std::to_string(pct) + "% of new requests to " + describe_group(to));
        m_api->modify_listener_forward(m_options.listener_arn, {{to, pct}, {from, 100 - pct}});
        try {
            pause(m_options.canary_pause, "the canary step at " + std::to_string(pct) + "%");
            for (const auto& t : m_api->describe_target_health(to, targets))
                if (t.state != "healthy" && t.state != "unavailable")
                    throw Error(name() + ": canary at " + std::to_string(pct) + "%: " + member_of(t).host +
                                ":" + std::to_string(t.target.port) + " is " + t.state +
                                (t.reason.empty() ? "" : " (" + t.reason + ": " + t.description + ")"));
        } catch (...) {
            restore();
            throw;
        }
    }
    m_log("alb: switch the listener to " + describe_group(to) + " in one ModifyListener call");
    m_api->modify_listener_forward(m_options.listener_arn, {{to, 1}, {other, 0}});
}

}  // namespace hoist::lb
