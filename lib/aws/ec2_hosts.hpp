#pragma once
/// `hosts: { ec2: { region, tags, address } }`: the pipeline's hosts are the running EC2 instances
/// that carry every listed tag, looked up with DescribeInstances when hoist needs them.
#include <vector>

#include "aws/credentials.hpp"
#include "aws/ec2.hpp"
#include "config/pipeline.hpp"

namespace hoist::aws {

/// Hosts from instances: state running and every tag matching (checked again here, whatever the
/// API returned), the private or public address, ssh user and port from the pipeline, instance id
/// kept; sorted by address, then instance id. Throws aws::Error when an instance lacks the address
/// asked for, or when none matches.
std::vector<config::Host> hosts_from_instances(const config::Pipeline& p,
                                               const std::vector<Instance>& instances,
                                               const std::string& region);

/// Looks the instances up (credentials and region from the chain in aws/credentials.hpp;
/// endpoint from aws/query.hpp's rules) and returns hosts_from_instances of them.
std::vector<config::Host> resolve_ec2_hosts(const config::Pipeline& p, const ChainOptions& chain = {},
                                            QueryOptions options = {});

}  // namespace hoist::aws
