// ALB driver: what rolling and blue/green share, the rolling mode, and the factory. See alb.hpp for
// the model; alb_blue_green.cpp has the listener switch.
#include "lb/alb.hpp"

#include <algorithm>

#include "aws/credentials.hpp"
#include "aws/error.hpp"
#include "util/duration.hpp"
#include "util/strings.hpp"

namespace hoist::lb {

using namespace std::chrono;

AlbBalancer::AlbBalancer(std::shared_ptr<aws::Elbv2Api> api, AlbOptions options, Sleeper sleep,
                         std::function<void(const std::string&)> log,
                         std::function<void(const std::string&)> warn)
    : m_api(std::move(api)),
      m_options(std::move(options)),
      m_sleep(std::move(sleep)),
      m_log(std::move(log)),
      m_warn(std::move(warn)) {
    if (!m_log) m_log = [](const std::string&) {};
    if (!m_warn) m_warn = m_log;
}

std::string AlbBalancer::name() const {
    if (blue_green())
        return "ALB listener " + m_options.listener_arn + " (" + m_options.region + ", blue/green)";
    return "ALB target group " + m_options.target_group_arn + " (" + m_options.region + ")";
}

const aws::TargetGroup& AlbBalancer::group_info(const std::string& group) {
    auto it = m_groups.find(group);
    if (it == m_groups.end()) it = m_groups.emplace(group, m_api->describe_target_group(group)).first;
    return it->second;
}

std::string AlbBalancer::describe_group(const std::string& group) const {
    auto it = m_groups.find(group);
    if (it != m_groups.end() && !it->second.name.empty()) return "target group " + it->second.name;
    // arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID
    auto parts = split(group, '/');
    return parts.size() >= 2 && !parts[1].empty() ? "target group " + parts[1] : group;
}

aws::Target AlbBalancer::target_of(const std::string& group, const Member& m) {
    const auto& g = group_info(group);
    if (g.target_type == "instance") {
        if (m.instance_id
                .empty())  // the engine's pools carry addresses; the pipeline's EC2 hosts have the ids
            for (const auto& [id, host] : m_options.instance_hosts)
                if (host == m.host) return {id, m.port};
        if (m.instance_id.empty())
            throw Error(
                name() + ": " + describe_group(group) + " has target type instance, but host " + m.host +
                " has no EC2 instance id (hosts found with `hosts: { ec2: ... }` have one; or use a target "
                "group of type ip)");
        return {m.instance_id, m.port};
    }
    if (g.target_type != "ip")
        throw Error(name() + ": " + describe_group(group) + " has target type " + g.target_type +
                    "; hoist registers hosts in groups of type ip or instance");
    return {m.host, m.port};
}

Member AlbBalancer::member_of(const aws::TargetHealth& t) const {
    Member m;
    auto it = m_options.instance_hosts.find(t.target.id);
    m.host = it != m_options.instance_hosts.end() ? it->second : t.target.id;
    if (it != m_options.instance_hosts.end()) m.instance_id = t.target.id;
    m.port = t.target.port;
    m.enabled = t.state != "draining";
    return m;
}

std::string AlbBalancer::group_of(const Member& m) const {
    if (!blue_green()) return m_options.target_group_arn;
    if (m.port == m_options.blue_port) return m_options.blue_group;
    if (m.port == m_options.green_port) return m_options.green_group;
    throw Error(name() + ": " + m.host + ":" + std::to_string(m.port) + " is on neither the blue port (" +
                std::to_string(m_options.blue_port) + ") nor the green port (" +
                std::to_string(m_options.green_port) + ")");
}

milliseconds AlbBalancer::deregistration_delay(const std::string& group) {
    auto it = m_delays.find(group);
    if (it != m_delays.end()) return it->second;
    auto attrs = m_api->describe_target_group_attributes(group);
    auto v = parse_int(attrs["deregistration_delay.timeout_seconds"]);
    milliseconds d = seconds(v ? *v : 300);  // AWS's default when the attribute is missing
    m_delays[group] = d;
    return d;
}

void AlbBalancer::pause(milliseconds d, const std::string& waiting_for) {
    if (!m_sleep(d)) throw Error(name() + ": interrupted while waiting for " + waiting_for);
}

void AlbBalancer::sync_group(const std::string& group, const std::vector<Member>& desired) {
    std::vector<aws::Target> want;
    for (const auto& m : desired) want.push_back(target_of(group, m));
    std::vector<aws::Target> have, add, drop;
    for (const auto& t : m_api->describe_target_health(group, {}))
        if (t.state != "draining") have.push_back(t.target);
    for (const auto& t : want)
        if (std::find(have.begin(), have.end(), t) == have.end()) add.push_back(t);
    for (const auto& t : have)
        if (std::find(want.begin(), want.end(), t) == want.end()) drop.push_back(t);
    auto show = [](const std::vector<aws::Target>& ts) {
        std::vector<std::string> s;
        for (const auto& t : ts) s.push_back(t.id + ":" + std::to_string(t.port));
        return join(s, ", ");
    };
    if (!add.empty()) {
        m_log("alb: register " + show(add) + " in " + describe_group(group));
        m_api->register_targets(group, add);
    }
    if (drop.empty()) return;
    m_log("alb: deregister " + show(drop) + " from " + describe_group(group));
    m_api->deregister_targets(group, drop);
    // New requests follow once the targets are draining (or gone); that takes a moment on AWS.
    for (int i = 0; i < 30; ++i) {
        auto now = m_api->describe_target_health(group, drop);
        if (std::none_of(now.begin(), now.end(), [](const aws::TargetHealth& t) {
                return t.state == "healthy" || t.state == "initial";
            }))
            return;
        pause(m_options.poll_interval, "deregistration of " + show(drop));
    }
    throw Error(name() + ": " + show(drop) + " still take traffic after DeregisterTargets");
}

std::optional<Pool> AlbBalancer::observe() {
    try {
        if (blue_green()) return observe_listener();
        Pool pool;
        for (const auto& t : m_api->describe_target_health(m_options.target_group_arn, {}))
            pool.push_back(member_of(t));
        if (pool.empty()) return std::nullopt;
        return pool;
    } catch (const aws::Error& e) {
        throw Error(name() + ": " + e.what());
    }
}

void AlbBalancer::apply(const Pool& pool) {
    try {
        if (blue_green()) return apply_blue_green(pool);
        std::vector<Member> enabled;
        for (const auto& m : pool)
            if (m.enabled) enabled.push_back(m);
        sync_group(m_options.target_group_arn, enabled);
    } catch (const aws::Error& e) {
        throw Error(name() + ": " + e.what());
    }
}

void AlbBalancer::wait_drained(const std::vector<Member>& removed, milliseconds limit) {
    if (removed.empty()) return;
    try {
        std::map<std::string, std::vector<Member>> by_group;
        for (const auto& m : removed) by_group[group_of(m)].push_back(m);
        auto start = steady_clock::now();
        auto elapsed = [&] { return duration_cast<milliseconds>(steady_clock::now() - start); };
        for (const auto& [group, members] : by_group) {
            milliseconds delay = deregistration_delay(group);
            milliseconds bound = std::min(limit, delay + m_options.drain_slack);
            if (limit < delay && m_warned_delay.insert(group).second)
                m_warn("alb: " + describe_group(group) + " has a deregistration delay of " +
                       format_duration(delay) + " but hoist waits at most " +
                       format_duration(limit) +
                       " (load_balancer.drain_time) before stopping containers: requests longer than that "
                       "may be cut");
            std::vector<aws::Target> targets;
            for (const auto& m : members) targets.push_back(target_of(group, m));
            for (;;) {
                auto states = m_api->describe_target_health(group, targets);
                bool draining = std::any_of(states.begin(), states.end(),
                                            [](const aws::TargetHealth& t) { return t.state == "draining"; });
                if (!draining) {
                    // Still registered but no longer routed (blue/green's old colour): the ALB cannot
                    // tell when its last requests end, so wait the whole limit, as for nginx.
                    bool registered =
                        std::any_of(states.begin(), states.end(),
                                    [](const aws::TargetHealth& t) { return t.state != "unused"; });
                    if (registered && elapsed() < limit)
                        pause(limit - elapsed(), "requests in flight to finish");
                    break;
                }
                if (elapsed() >= bound) {
                    m_warn("alb: " + describe_group(group) + " still draining after " +
                           format_duration(bound) + "; continuing");
                    break;
                }
                pause(std::min(m_options.poll_interval, bound - elapsed()), "targets to drain");
            }
        }
    } catch (const aws::Error& e) {
        throw Error(name() + ": " + e.what());
    }
}

void AlbBalancer::wait_group_healthy(const std::string& group, const std::vector<Member>& members,
                                     milliseconds limit) {
    std::vector<aws::Target> targets;
    for (const auto& m : members) targets.push_back(target_of(group, m));
    auto start = steady_clock::now();
    int unused_polls = 0;
    for (;;) {
        auto states = m_api->describe_target_health(group, targets);
        std::vector<std::string> pending;
        bool unused = false;
        for (const auto& t : states) {
            std::string who = member_of(t).host + ":" + std::to_string(t.target.port);
            std::string why =
                t.reason.empty()
                    ? ""
                    : " (" + t.reason + (t.description.empty() ? "" : ": " + t.description) + ")";
            if (t.state == "healthy" || t.state == "unavailable") continue;  // unavailable: health checks off
            if (t.state == "unhealthy")
                throw Error(name() + ": " + who + " failed the ALB health checks of " +
                            describe_group(group) + why);
            unused = unused || t.state == "unused";
            pending.push_back(who + " " + t.state + why);
        }
        if (pending.empty() && states.size() == targets.size()) return;
        unused_polls = unused ? unused_polls + 1 : 0;
        bool out_of_time = steady_clock::now() - start >= limit;
        if (out_of_time || unused_polls >= 3)
            throw Error(name() + ": not healthy " +
                        (out_of_time ? "after " + std::to_string(limit.count()) + "ms" : "") + " in " +
                        describe_group(group) + ": " + join(pending, "; "));
        pause(m_options.poll_interval, "ALB health checks");
    }
}

void AlbBalancer::wait_healthy(const std::vector<Member>& added, milliseconds limit) {
    if (added.empty()) return;
    try {
        std::map<std::string, std::vector<Member>> by_group;
        for (const auto& m : added) by_group[group_of(m)].push_back(m);
        auto start = steady_clock::now();
        for (const auto& [group, members] : by_group) {
            auto used = duration_cast<milliseconds>(steady_clock::now() - start);
            wait_group_healthy(group, members, std::max(milliseconds(0), limit - used));
        }
    } catch (const aws::Error& e) {
        throw Error(name() + ": " + e.what());
    }
}

std::unique_ptr<LoadBalancer> make_alb(AlbOptions o, Sleeper sleep, std::function<void(const std::string&)> log,
                                       std::function<void(const std::string&)> warn) {
    if (!warn) warn = log;
    aws::ChainOptions chain;
    o.region = aws::resolve_region(o.region, chain);
    aws::QueryOptions q;
    q.sleep = [sleep](milliseconds d) { sleep(d); };
    q.log = warn;
    aws::QueryClient client = aws::service_client(aws::kElbv2, o.region, chain, q);
    auto api = std::make_shared<aws::Elbv2>(std::move(client));
    return std::make_unique<AlbBalancer>(api, std::move(o), std::move(sleep), std::move(log),
                                         std::move(warn));
}

}  // namespace hoist::lb
