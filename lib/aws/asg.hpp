#pragma once
/// Auto Scaling (Query protocol, 2011-01-01): the groups' instances and the processes hoist suspends
/// around a rollout (deploy/aws_hosts.hpp resolves `hosts: [{ asg: ... }]` with them).
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/query.hpp"

namespace hoist::aws {

extern const Service kAutoScaling;  ///< autoscaling, 2011-01-01, AWS_ENDPOINT_URL_AUTO_SCALING

struct AsgInstance {
    std::string id;
    std::string lifecycle_state;  ///< Pending | InService | Terminating | Standby | ...
    std::string health_status;    ///< Healthy | Unhealthy
    std::string zone;
};

struct AsgGroup {
    std::string name;
    std::vector<AsgInstance> instances;
    std::vector<std::string> suspended;  ///< processes suspended now (by anyone)
    /// The launch template the group launches from (LaunchTemplate, or the MixedInstancesPolicy's);
    /// `template_version` as the group names it: "$Latest", "$Default" or a number. All empty when
    /// the group uses a launch configuration (`launch_configuration`).
    std::string template_id, template_name, template_version;
    std::string launch_configuration;
};

/// The processes a rollout suspends: no instance launched, terminated, rebalanced or replaced
/// while hosts leave and rejoin the pool.
const std::vector<std::string>& rollout_processes();

/// The request parameters of one DescribeAutoScalingGroups page.
Params describe_groups_params(const std::vector<std::string>& names, int max_records,
                              const std::string& next_token);
/// The groups of one response page, and its NextToken ("" on the last page).
std::vector<AsgGroup> read_groups(const XmlElement& doc, std::string& next_token);
/// Every group named, following NextToken (at most `max_pages`).
std::vector<AsgGroup> describe_groups(QueryClient& as, const std::vector<std::string>& names,
                                      int page_size = 50, int max_pages = 100);
/// AutoScalingGroupName and ScalingProcesses.member.N.
Params processes_params(const std::string& group, const std::vector<std::string>& processes);
void suspend_processes(QueryClient& as, const std::string& group, const std::vector<std::string>& processes);
void resume_processes(QueryClient& as, const std::string& group, const std::vector<std::string>& processes);

}  // namespace hoist::aws
