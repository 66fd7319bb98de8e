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
        const XmlElement* lt = g->find("LaunchTemplate");
        if (!lt) lt = g->find("MixedInstancesPolicy/LaunchTemplate/LaunchTemplateSpecification");
        if (lt) {
            group.template_id = lt->text_at("LaunchTemplateId");
            group.template_name = lt->text_at("LaunchTemplateName");
            group.template_version = lt->text_at("Version");
        }
        group.launch_configuration = g->text_at("LaunchConfigurationName");
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

}  // namespace hoist::aws
