#pragma once
/// The AWS Application Load Balancer driver (ELBv2 API).
///
/// Rolling: one target group (`load_balancer.target_group_arn`). A pool member host:port is the
/// target Id=host, Port=port for target type `ip`, or Id=instance id for target type `instance`
/// (the type is read from the group). `apply` registers the enabled members and deregisters the
/// rest; `wait_drained` polls until the deregistered targets have left `draining` (bounded by the
/// limit and by the group's deregistration delay, which it reads); `wait_healthy` polls until the
/// ALB's own health checks say `healthy`, and throws with the ALB's reason when one is `unhealthy`.
///
/// Blue/green: two target groups (`target_groups.blue/green`) behind one listener
/// (`listener_arn`); a member's colour is known from its port (`strategy.ports`). Registration is
/// membership, the listener is traffic: `apply` registers each colour's members in its group
/// (disabled members too: known, health-checked, no traffic), and when the enabled members are of
/// the colour the listener does not serve yet, it waits for them to be healthy and then switches
/// the listener's default action in ONE ModifyListener call. The other colour stays registered
/// and in the forward action with weight 0, so it keeps being health-checked and a rollback is one
/// more ModifyListener. With `canary` steps (e.g. 10, 50) the switch goes through weighted
/// forwards first, pausing `canary_pause` at each and returning all traffic to the old colour if a
/// new target turns unhealthy.
///
/// A group the ALB does not use (no listener or rule forwards to it) is not health-checked at all
/// (its targets stay `unused`), so before waiting for a colour's group the driver attaches it to the
/// listener's forward action with weight 0 if the load balancer does not use it yet.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aws/elbv2.hpp"
#include "lb/balancer.hpp"

namespace hoist::lb {

struct AlbOptions {
    std::string region;            ///< for name() and messages
    std::string target_group_arn;  ///< rolling; empty: blue/green
    std::string listener_arn;      ///< blue/green
    std::string blue_group, green_group;
    int blue_port = 0, green_port = 0;
    std::vector<int> canary;  ///< blue/green: percentages of traffic to the new colour before 100
    std::chrono::milliseconds canary_pause{30000};
    std::chrono::milliseconds poll_interval{1000};         ///< DescribeTargetHealth while waiting
    std::chrono::milliseconds switch_health_limit{60000};  ///< apply waits this long for a new colour
    std::chrono::milliseconds drain_slack{5000};           ///< allowed beyond the deregistration delay
    std::map<std::string, std::string> instance_hosts;     ///< instance id -> host address (observe)
};

class AlbBalancer : public LoadBalancer {
public:
    /// `log` gets one line per change made; `warn` (default: `log`) what a person should look at.
    AlbBalancer(std::shared_ptr<aws::Elbv2Api> api, AlbOptions options, Sleeper sleep,
                std::function<void(const std::string&)> log,
                std::function<void(const std::string&)> warn = {});

    std::string name() const override;
    std::optional<Pool> observe() override;
    void apply(const Pool& pool) override;
    void wait_drained(const std::vector<Member>& removed, std::chrono::milliseconds limit) override;
    void wait_healthy(const std::vector<Member>& added, std::chrono::milliseconds limit) override;

    bool blue_green() const { return m_options.target_group_arn.empty(); }

private:
    // common (alb.cpp)
    aws::Target target_of(const std::string& group, const Member& m);
    Member member_of(const aws::TargetHealth& t) const;
    const aws::TargetGroup& group_info(const std::string& group);
    std::chrono::milliseconds deregistration_delay(const std::string& group);
    std::string group_of(const Member& m) const;
    std::string describe_group(const std::string& group) const;
    /// Registers `desired` and deregisters the other registered targets of `group`.
    void sync_group(const std::string& group, const std::vector<Member>& desired);
    void wait_group_healthy(const std::string& group, const std::vector<Member>& members,
                            std::chrono::milliseconds limit);
    void pause(std::chrono::milliseconds d, const std::string& waiting_for);
    // blue/green (alb_blue_green.cpp)
    std::optional<Pool> observe_listener();
    void apply_blue_green(const Pool& pool);
    void switch_listener(const std::string& to, const std::string& from, const aws::Listener& listener,
                         const std::vector<Member>& members);

    std::shared_ptr<aws::Elbv2Api> m_api;
    AlbOptions m_options;
    Sleeper m_sleep;
    std::function<void(const std::string&)> m_log;
    std::function<void(const std::string&)> m_warn;
    std::map<std::string, aws::TargetGroup> m_groups;
    std::map<std::string, std::chrono::milliseconds> m_delays;
    std::set<std::string> m_warned_delay;  ///< groups whose long deregistration delay was reported
};

/// The driver for `load_balancer.type: alb` (deploy/balancers.cpp fills `options` from the
/// pipeline): `options.region` as written (empty: from the chain in aws/credentials.hpp) is
/// resolved here, credentials come from that chain, the endpoint from aws/query.hpp
/// (AWS_ENDPOINT_URL...). `log` receives one line per change the driver makes; `warn` (default:
/// `log`) retries of throttled or failed AWS calls and a drain limit shorter than the group's
/// deregistration delay.
std::unique_ptr<LoadBalancer> make_alb(AlbOptions options, Sleeper sleep,
                                       std::function<void(const std::string&)> log,
                                       std::function<void(const std::string&)> warn = {});

}  // namespace hoist::lb
