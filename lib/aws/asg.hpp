#pragma once
/// Auto Scaling (Query protocol, 2011-01-01): the groups' instances and the processes hoist suspends
/// around a rollout, and `hosts: [{ asg: ... }]` resolved to the group's InService instances.
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/query.hpp"
#include "config/pipeline.hpp"

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

/// A client for the pipeline's group's region (the chain's region when the file names none).
QueryClient asg_client(const config::AsgDiscovery& d, const ChainOptions& chain = {},
                       QueryOptions options = {});

/// The group's InService instances as hosts (address as `d.address` asks, ssh user and port from the
/// pipeline, instance id kept), sorted by address. Throws aws::Error when the group does not
/// exist, has no InService instance, or an instance lacks the address asked for.
std::vector<config::Host> resolve_asg_hosts(const config::Pipeline& p, const ChainOptions& chain = {},
                                            QueryOptions options = {});

}  // namespace hoist::aws
