#include "aws/asg.hpp"

#include <algorithm>
#include <memory>

#include "aws/ec2.hpp"
#include "aws/error.hpp"
#include "util/strings.hpp"

namespace hoist::aws {

const Service kAutoScaling{"autoscaling", "autoscaling", "AUTO_SCALING", "2011-01-01"};

const std::vector<std::string>& rollout_processes() {
    static const std::vector<std::string> p = {"Launch", "Terminate", "AZRebalance", "ReplaceUnhealthy"};
    return p;
}

Params describe_groups_params(const std::vector<std::string>& names, int max_records,
                              const std::string& next_token) {
    Params p;
    for (std::size_t i = 0; i < names.size(); ++i)
        p.emplace_back("AutoScalingGroupNames.member." + std::to_string(i + 1), names[i]);
    if (max_records > 0) p.emplace_back("MaxRecords", std::to_string(max_records));
    if (!next_token.empty()) p.emplace_back("NextToken", next_token);
    return p;
}

std::vector<AsgGroup> read_groups(const XmlElement& doc, std::string& next_token) {
    const XmlElement* result = doc.child("DescribeAutoScalingGroupsResult");
    if (!result)
        throw Error(
            "", "autoscaling DescribeAutoScalingGroups: the answer has no DescribeAutoScalingGroupsResult");
    next_token = result->text_at("NextToken");
    std::vector<AsgGroup> out;
    for (const auto* g : result->members("AutoScalingGroups")) {
        AsgGroup group;
        group.name = g->text_at("AutoScalingGroupName");
        for (const auto* i : g->members("Instances"))
            group.instances.push_back({i->text_at("InstanceId"), i->text_at("LifecycleState"),
                                       i->text_at("HealthStatus"), i->text_at("AvailabilityZone")});
        for (const auto* s : g->members("SuspendedProcesses"))
            group.suspended.push_back(s->text_at("ProcessName"));
        out.push_back(std::move(group));
    }
    return out;
}

std::vector<AsgGroup> describe_groups(QueryClient& as, const std::vector<std::string>& names, int page_size,
                                      int max_pages) {
    std::vector<AsgGroup> all;
    std::string token;
    for (int page = 0; page < max_pages; ++page) {
        auto got = read_groups(
            as.call("DescribeAutoScalingGroups", describe_groups_params(names, page_size, token)), token);
        all.insert(all.end(), got.begin(), got.end());
        if (token.empty()) return all;
    }
    throw Error("", "autoscaling DescribeAutoScalingGroups at " + as.endpoint() +
                        " still had a NextToken after " + std::to_string(max_pages) + " pages");
}

Params processes_params(const std::string& group, const std::vector<std::string>& processes) {
    Params p{{"AutoScalingGroupName", group}};
    for (std::size_t i = 0; i < processes.size(); ++i)
        p.emplace_back("ScalingProcesses.member." + std::to_string(i + 1), processes[i]);
    return p;
}

void suspend_processes(QueryClient& as, const std::string& group, const std::vector<std::string>& processes) {
    as.call("SuspendProcesses", processes_params(group, processes));
}

void resume_processes(QueryClient& as, const std::string& group, const std::vector<std::string>& processes) {
    as.call("ResumeProcesses", processes_params(group, processes));
}

QueryClient asg_client(const config::AsgDiscovery& d, const ChainOptions& chain, QueryOptions options) {
    std::string region = resolve_region(d.region, chain);
    auto provider = std::make_shared<CredentialProvider>(chain);
    return QueryClient(
        kAutoScaling, region, resolve_endpoint(kAutoScaling, region, chain.env),
        [provider] { return provider->get(); }, std::move(options));
}

std::vector<config::Host> resolve_asg_hosts(const config::Pipeline& p, const ChainOptions& chain,
                                            QueryOptions options) {
    if (!p.asg) return p.hosts;
    const config::AsgDiscovery& d = *p.asg;
    const std::string what = "hosts[0].asg: Auto Scaling group '" + d.name + "'";
    try {
        QueryClient as = asg_client(d, chain, options);
        auto groups = describe_groups(as, {d.name});
        auto g =
            std::find_if(groups.begin(), groups.end(), [&](const AsgGroup& x) { return x.name == d.name; });
        if (g == groups.end()) throw Error("", "there is no such group in " + as.region());
        std::vector<std::string> ids;
        std::vector<std::string> other;
        for (const auto& i : g->instances) {
            if (i.lifecycle_state == "InService")
                ids.push_back(i.id);
            else
                other.push_back(i.id + " " + i.lifecycle_state);
        }
        if (ids.empty())
            throw Error("", "the group has no InService instance in " + as.region() +
                                (other.empty() ? "" : " (" + join(other, ", ") + ")"));
        auto provider = std::make_shared<CredentialProvider>(chain);
        QueryClient ec2(
            kEc2, as.region(), resolve_endpoint(kEc2, as.region(), chain.env),
            [provider] { return provider->get(); }, options);
        std::vector<Instance> instances;
        for (std::size_t at = 0; at < ids.size(); at += 200) {  // DescribeInstances: 200 values per filter
            std::vector<std::string> chunk(ids.begin() + static_cast<long>(at),
                                           ids.begin() + static_cast<long>(std::min(ids.size(), at + 200)));
            auto got = describe_instances(ec2, {{"instance-id", chunk}});
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
                throw Error("", "instance " + id + " has no " + d.address +
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
            throw Error("", "none of the group's InService instances is running in " + as.region());
        std::sort(out.begin(), out.end(),
                  [](const config::Host& a, const config::Host& b) { return a.address < b.address; });
        return out;
    } catch (const Error& e) {
        throw Error(e.aws_code(), what + ": " + e.what(), e.status());
    }
}

}  // namespace hoist::aws
