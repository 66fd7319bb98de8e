#include "aws/ec2_hosts.hpp"

#include <algorithm>

#include "aws/error.hpp"
#include "util/strings.hpp"

namespace hoist::aws {

namespace {
std::string describe_tags(const std::map<std::string, std::string>& tags) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : tags) parts.push_back(k + "=" + v);
    return join(parts, ", ");
}
std::string where(const config::Pipeline& p) {
    config::Location l = p.where("hosts");
    if (!l.known()) return "";
    return " (hosts.ec2 at " + l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column) + ")";
}
}  // namespace

std::vector<config::Host> hosts_from_instances(const config::Pipeline& p,
                                               const std::vector<Instance>& instances,
                                               const std::string& region) {
    const config::Ec2Discovery& d = *p.ec2;
    bool public_address = d.address == "public";
    std::vector<config::Host> out;
    for (const auto& in : instances) {
        if (in.state != "running") continue;
        bool match = std::all_of(d.tags.begin(), d.tags.end(), [&](const auto& kv) {
            auto it = in.tags.find(kv.first);
            return it != in.tags.end() && it->second == kv.second;
        });
        if (!match) continue;
        const std::string& addr = public_address ? in.public_ip : in.private_ip;
        if (addr.empty())
            throw Error(
                "", "EC2 instance " + in.id + " (tags " + describe_tags(d.tags) + ") has no " + d.address +
                        " IP address; use hosts.ec2.address: " + (public_address ? "private" : "public"));
        config::Host h;
        h.address = addr;
        h.user = p.ssh.user;
        h.port = p.ssh.port;
        h.instance_id = in.id;
        h.where = p.where("hosts");
        out.push_back(h);
    }
    std::sort(out.begin(), out.end(), [](const config::Host& a, const config::Host& b) {
        return a.address != b.address ? a.address < b.address : a.instance_id < b.instance_id;
    });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const config::Host& a, const config::Host& b) {
                              return a.instance_id == b.instance_id;
                          }),
              out.end());
    if (out.empty())
        throw Error(
            "", "no running EC2 instance in " + region + " has the tags " + describe_tags(d.tags) + where(p));
    return out;
}

std::vector<config::Host> resolve_ec2_hosts(const config::Pipeline& p, const ChainOptions& chain,
                                            QueryOptions options) {
    if (!p.ec2) return p.hosts;
    std::string region = resolve_region(p.ec2->region, chain);
    auto provider = std::make_shared<CredentialProvider>(chain);
    QueryClient ec2(
        kEc2, region, resolve_endpoint(kEc2, region, chain.env), [provider] { return provider->get(); },
        std::move(options));
    std::vector<Filter> filters = {{"instance-state-name", {"running"}}};
    for (const auto& [k, v] : p.ec2->tags) filters.push_back({"tag:" + k, {v}});
    try {
        return hosts_from_instances(p, describe_instances(ec2, filters), region);
    } catch (const Error& e) {
        throw Error(e.aws_code(), std::string("hosts.ec2: ") + e.what(), e.status());
    }
}

}  // namespace hoist::aws
