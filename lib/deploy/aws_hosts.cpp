// EC2 tags and Auto Scaling groups to hosts (aws_hosts.hpp).
#include "deploy/aws_hosts.hpp"

#include <algorithm>
#include <memory>

#include "aws/error.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

using aws::AsgGroup;
using aws::ChainOptions;
using aws::CredentialProvider;
using aws::Filter;
using aws::Instance;
using aws::QueryClient;
using aws::QueryOptions;

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
            throw aws::Error(
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
        throw aws::Error(
            "", "no running EC2 instance in " + region + " has the tags " + describe_tags(d.tags) + where(p));
    return out;
}

std::vector<config::Host> resolve_ec2_hosts(const config::Pipeline& p, const ChainOptions& chain,
                                            QueryOptions options) {
    if (!p.ec2) return p.hosts;
    std::string region = aws::resolve_region(p.ec2->region, chain);
    QueryClient ec2 = aws::service_client(aws::kEc2, region, chain, std::move(options));
    std::vector<Filter> filters = {{"instance-state-name", {"running"}}};
    for (const auto& [k, v] : p.ec2->tags) filters.push_back({"tag:" + k, {v}});
    try {
        return hosts_from_instances(p, aws::describe_instances(ec2, filters), region);
    } catch (const aws::Error& e) {
        throw aws::Error(e.aws_code(), std::string("hosts.ec2: ") + e.what(), e.status());
    }
}


QueryClient asg_client(const config::AsgDiscovery& d, const ChainOptions& chain, QueryOptions options) {
    std::string region = aws::resolve_region(d.region, chain);
    return aws::service_client(aws::kAutoScaling, region, chain, std::move(options));
}

std::vector<config::Host> resolve_asg_hosts(const config::Pipeline& p, const ChainOptions& chain,
                                            QueryOptions options) {
    if (!p.asg) return p.hosts;
    const config::AsgDiscovery& d = *p.asg;
    const std::string what = "hosts[0].asg: Auto Scaling group '" + d.name + "'";
    try {
        QueryClient as = asg_client(d, chain, options);
        auto groups = aws::describe_groups(as, {d.name});
        auto g =
            std::find_if(groups.begin(), groups.end(), [&](const AsgGroup& x) { return x.name == d.name; });
        if (g == groups.end()) throw aws::Error("", "there is no such group in " + as.region());
        std::vector<std::string> ids;
        std::vector<std::string> other;
        for (const auto& i : g->instances) {
            if (i.lifecycle_state == "InService")
                ids.push_back(i.id);
            else
                other.push_back(i.id + " " + i.lifecycle_state);
        }
        if (ids.empty())
            throw aws::Error("", "the group has no InService instance in " + as.region() +
                                (other.empty() ? "" : " (" + join(other, ", ") + ")"));
        QueryClient ec2 = aws::service_client(aws::kEc2, as.region(), chain, options);
        std::vector<Instance> instances;
        for (std::size_t at = 0; at < ids.size(); at += 200) {  // DescribeInstances: 200 values per filter
            std::vector<std::string> chunk(ids.begin() + static_cast<long>(at),
                                           ids.begin() + static_cast<long>(std::min(ids.size(), at + 200)));
            auto got = aws::describe_instances(ec2, {{"instance-id", chunk}});
            instances.insert(instances.end(), got.begin(), got.end());
        }
        bool pub = d.address == "public";
        std::vector<config::Host> out;
        for (const auto& id : ids) {
            auto in = std::find_if(instances.begin(), instances.end(),
                                   [&](const Instance& x) { return x.id == id; });
            if (in == instances.end() || in->state != "running") continue;  // InService but going away
            const std::string& addr = pub ? in->public_ip : in->private_ip;
            if (addr.empty())
                throw aws::Error("", "instance " + id + " has no " + d.address +
                                    " IP address; use address: " + (pub ? "private" : "public"));
            config::Host h;
            h.address = addr;
            h.user = p.ssh.user;
            h.port = p.ssh.port;
            h.instance_id = id;
            h.where = p.where("hosts");
            out.push_back(h);
        }
        if (out.empty())
            throw aws::Error("", "none of the group's InService instances is running in " + as.region());
        std::sort(out.begin(), out.end(),
                  [](const config::Host& a, const config::Host& b) { return a.address < b.address; });
        return out;
    } catch (const aws::Error& e) {
        throw aws::Error(e.aws_code(), what + ": " + e.what(), e.status());
    }
}

}  // namespace hoist::deploy
