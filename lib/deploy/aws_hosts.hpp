#pragma once
/// Hosts that AWS knows: `hosts: { ec2: { region, tags, address } }` (the running EC2 instances that
/// carry every listed tag, DescribeInstances) and `hosts: [{ asg: ... }]` (an Auto Scaling group's
/// InService instances), looked up when hoist needs them. The pipeline's side of lib/aws: the AWS
/// calls are there, what they become (config::Host with the pipeline's ssh user and port) is here.
#include <string>
#include <vector>

#include "aws/asg.hpp"
#include "aws/credentials.hpp"
#include "aws/ec2.hpp"
#include "aws/query.hpp"
#include "config/pipeline.hpp"

namespace hoist::deploy {

/// Hosts from instances: state running and every tag matching (checked again here, whatever the
/// API returned), the private or public address, ssh user and port from the pipeline, instance id
/// kept; sorted by address, then instance id. Throws aws::Error when an instance lacks the address
/// asked for, or when none matches.
std::vector<config::Host> hosts_from_instances(const config::Pipeline& p,
                                               const std::vector<aws::Instance>& instances,
                                               const std::string& region);

/// Looks the instances up (credentials and region from the chain in aws/credentials.hpp;
/// endpoint from aws/query.hpp's rules) and returns hosts_from_instances of them.
std::vector<config::Host> resolve_ec2_hosts(const config::Pipeline& p, const aws::ChainOptions& chain = {},
                                            aws::QueryOptions options = {});

/// A client for the pipeline's group's region (the chain's region when the file names none).
aws::QueryClient asg_client(const config::AsgDiscovery& d, const aws::ChainOptions& chain = {},
                            aws::QueryOptions options = {});

/// The group's InService instances as hosts (address as `d.address` asks, ssh user and port from the
/// pipeline, instance id kept), sorted by address. Throws aws::Error when the group does not
/// exist, has no InService instance, or an instance lacks the address asked for.
std::vector<config::Host> resolve_asg_hosts(const config::Pipeline& p, const aws::ChainOptions& chain = {},
                                            aws::QueryOptions options = {});

}  // namespace hoist::deploy
