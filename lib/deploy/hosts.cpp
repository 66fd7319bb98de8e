#include "deploy/hosts.hpp"

#include <algorithm>

#include "aws/asg.hpp"
#include "deploy/aws_hosts.hpp"
#include "util/error.hpp"

namespace hoist::deploy {

void resolve_hosts(config::Pipeline& p, const std::vector<std::string>& only) {
    if (!p.discovered_hosts()) return;
    p.all_hosts = p.asg ? resolve_asg_hosts(p) : resolve_ec2_hosts(p);
    p.hosts.clear();
    for (const auto& h : p.all_hosts)
        if (only.empty() || std::find(only.begin(), only.end(), h.address) != only.end()) p.hosts.push_back(h);
    for (const auto& w : only)
        if (std::none_of(p.hosts.begin(), p.hosts.end(), [&](const config::Host& h) { return h.address == w; }))
            throw usage_error("--hosts names '" + w + "', which is not one of the " +
                              (p.asg ? "InService instances of Auto Scaling group " + p.asg->name
                                     : std::string("running EC2 instances with the tags")));
}

}  // namespace hoist::deploy
