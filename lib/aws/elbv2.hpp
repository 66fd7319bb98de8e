#pragma once
/// The Elastic Load Balancing v2 calls hoist makes, typed. `Elbv2Api` is the narrow interface the
/// ALB driver uses (a fake implements it in unit tests); `Elbv2` is the real one over QueryClient.
#include <map>
#include <string>
#include <vector>

#include "aws/query.hpp"

namespace hoist::aws {

struct Target {
    std::string id;  ///< IP address (target type ip) or instance id (target type instance)
    int port = 0;
    bool operator==(const Target&) const = default;
};

struct TargetHealth {
    Target target;
    std::string state;        ///< initial | healthy | unhealthy | unused | draining | unavailable
    std::string reason;       ///< "Target.ResponseCodeMismatch", "Target.DeregistrationInProgress", ...
    std::string description;  ///< "Health checks failed with these codes: [404]"
};

struct TargetGroup {
    std::string arn, name, protocol;
    std::string target_type;  ///< instance | ip | lambda | alb
    int port = 0;
    std::vector<std::string> load_balancer_arns;
};

struct WeightedGroup {
    std::string arn;
    int weight = 1;
    bool operator==(const WeightedGroup&) const = default;
};

struct Listener {
    std::string arn, load_balancer_arn, protocol;
    int port = 0;
    std::vector<std::string> action_types;  ///< types of the default actions, in order
    std::vector<WeightedGroup> forward;     ///< target groups of the forward default action
};

class Elbv2Api {
public:
    virtual ~Elbv2Api() = default;
    virtual void register_targets(const std::string& group, const std::vector<Target>& targets) = 0;
    virtual void deregister_targets(const std::string& group, const std::vector<Target>& targets) = 0;
    /// Health of `targets` (every registered target when empty).
    virtual std::vector<TargetHealth> describe_target_health(const std::string& group,
                                                             const std::vector<Target>& targets) = 0;
    virtual std::map<std::string, std::string> describe_target_group_attributes(const std::string& group) = 0;
    virtual TargetGroup describe_target_group(const std::string& group) = 0;
    virtual Listener describe_listener(const std::string& listener) = 0;
    /// Replaces the listener's default actions with one forward action: a plain TargetGroupArn for
    /// one group, a weighted ForwardConfig for several.
    virtual void modify_listener_forward(const std::string& listener,
                                         const std::vector<WeightedGroup>& groups) = 0;
};

/// ELBv2 over the Query API.
class Elbv2 : public Elbv2Api {
public:
    explicit Elbv2(QueryClient client) : m_client(std::move(client)) {}
    void register_targets(const std::string& group, const std::vector<Target>& targets) override;
    void deregister_targets(const std::string& group, const std::vector<Target>& targets) override;
    std::vector<TargetHealth> describe_target_health(const std::string& group,
                                                     const std::vector<Target>& targets) override;
    std::map<std::string, std::string> describe_target_group_attributes(const std::string& group) override;
    TargetGroup describe_target_group(const std::string& group) override;
    Listener describe_listener(const std::string& listener) override;
    void modify_listener_forward(const std::string& listener,
                                 const std::vector<WeightedGroup>& groups) override;

    const QueryClient& client() const { return m_client; }

private:
    QueryClient m_client;
};

/// Response readers, separate so that unit tests can feed them AWS's documented XML.
std::vector<TargetHealth> read_target_health(const XmlElement& doc);
std::map<std::string, std::string> read_attributes(const XmlElement& doc);
std::vector<TargetGroup> read_target_groups(const XmlElement& doc);
std::vector<Listener> read_listeners(const XmlElement& doc);
/// Parameters for a target list ("Targets.member.1.Id", ...).
Params target_params(const std::vector<Target>& targets);
/// Parameters of ModifyListener's default action.
Params forward_params(const std::vector<WeightedGroup>& groups);

}  // namespace hoist::aws
