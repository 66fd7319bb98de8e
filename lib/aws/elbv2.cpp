#include "aws/elbv2.hpp"

#include "aws/error.hpp"
#include "util/strings.hpp"

namespace hoist::aws {

namespace {
int to_int(const std::string& s, int fallback = 0) {
    auto v = parse_int(s);
    return v ? static_cast<int>(*v) : fallback;
}
}  // namespace

Params target_params(const std::vector<Target>& targets) {
    Params p;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        std::string k = "Targets.member." + std::to_string(i + 1);
        p.emplace_back(k + ".Id", targets[i].id);
        if (targets[i].port) p.emplace_back(k + ".Port", std::to_string(targets[i].port));
    }
    return p;
}

Params forward_params(const std::vector<WeightedGroup>& groups) {
    Params p = {{"DefaultActions.member.1.Type", "forward"}};
    if (groups.size() == 1) {
        p.emplace_back("DefaultActions.member.1.TargetGroupArn", groups[0].arn);
        return p;
    }
    for (std::size_t i = 0; i < groups.size(); ++i) {
        std::string k = "DefaultActions.member.1.ForwardConfig.TargetGroups.member." + std::to_string(i + 1);
        p.emplace_back(k + ".TargetGroupArn", groups[i].arn);
        p.emplace_back(k + ".Weight", std::to_string(groups[i].weight));
    }
    return p;
}

std::vector<TargetHealth> read_target_health(const XmlElement& doc) {
    std::vector<TargetHealth> out;
    for (const auto* m : doc.members("DescribeTargetHealthResult/TargetHealthDescriptions")) {
        TargetHealth h;
        h.target.id = m->text_at("Target/Id");
        h.target.port = to_int(m->text_at("Target/Port"));
        h.state = m->text_at("TargetHealth/State");
        h.reason = m->text_at("TargetHealth/Reason");
        h.description = m->text_at("TargetHealth/Description");
        out.push_back(h);
    }
    return out;
}

std::map<std::string, std::string> read_attributes(const XmlElement& doc) {
    std::map<std::string, std::string> out;
    for (const auto* m : doc.members("DescribeTargetGroupAttributesResult/Attributes"))
        out[m->text_at("Key")] = m->text_at("Value");
    return out;
}

std::vector<TargetGroup> read_target_groups(const XmlElement& doc) {
    std::vector<TargetGroup> out;
    for (const auto* m : doc.members("DescribeTargetGroupsResult/TargetGroups")) {
        TargetGroup g;
        g.arn = m->text_at("TargetGroupArn");
        g.name = m->text_at("TargetGroupName");
        g.protocol = m->text_at("Protocol");
        g.target_type = m->text_at("TargetType");
        g.port = to_int(m->text_at("Port"));
        for (const auto* lb : m->members("LoadBalancerArns")) g.load_balancer_arns.push_back(trim(lb->text));
        out.push_back(g);
    }
    return out;
}

std::vector<Listener> read_listeners(const XmlElement& doc) {
    std::vector<Listener> out;
    for (const auto* m : doc.members("DescribeListenersResult/Listeners")) {
        Listener l;
        l.arn = m->text_at("ListenerArn");
        l.load_balancer_arn = m->text_at("LoadBalancerArn");
        l.protocol = m->text_at("Protocol");
        l.port = to_int(m->text_at("Port"));
        for (const auto* a : m->members("DefaultActions")) {
            std::string type = a->text_at("Type");
            l.action_types.push_back(type);
            if (type != "forward" || !l.forward.empty()) continue;
            auto weighted = a->members("ForwardConfig/TargetGroups");
            for (const auto* g : weighted)
                l.forward.push_back({g->text_at("TargetGroupArn"), to_int(g->text_at("Weight"), 1)});
            if (weighted.empty() && !a->text_at("TargetGroupArn").empty())
                l.forward.push_back({a->text_at("TargetGroupArn"), 1});
        }
        out.push_back(l);
    }
    return out;
}

void Elbv2::register_targets(const std::string& group, const std::vector<Target>& targets) {
    Params p = {{"TargetGroupArn", group}};
    for (auto& kv : target_params(targets)) p.push_back(kv);
    m_client.call("RegisterTargets", p);
}

void Elbv2::deregister_targets(const std::string& group, const std::vector<Target>& targets) {
    Params p = {{"TargetGroupArn", group}};
    for (auto& kv : target_params(targets)) p.push_back(kv);
    m_client.call("DeregisterTargets", p);
}

std::vector<TargetHealth> Elbv2::describe_target_health(const std::string& group,
                                                        const std::vector<Target>& targets) {
    Params p = {{"TargetGroupArn", group}};
    for (auto& kv : target_params(targets)) p.push_back(kv);
    return read_target_health(m_client.call("DescribeTargetHealth", p));
}

std::map<std::string, std::string> Elbv2::describe_target_group_attributes(const std::string& group) {
    return read_attributes(m_client.call("DescribeTargetGroupAttributes", {{"TargetGroupArn", group}}));
}

TargetGroup Elbv2::describe_target_group(const std::string& group) {
    auto groups =
        read_target_groups(m_client.call("DescribeTargetGroups", {{"TargetGroupArns.member.1", group}}));
    if (groups.empty())
        throw Error("TargetGroupNotFound", "DescribeTargetGroups returned no target group " + group);
    return groups.front();
}

Listener Elbv2::describe_listener(const std::string& listener) {
    auto ls = read_listeners(m_client.call("DescribeListeners", {{"ListenerArns.member.1", listener}}));
    if (ls.empty()) throw Error("ListenerNotFound", "DescribeListeners returned no listener " + listener);
    return ls.front();
}

void Elbv2::modify_listener_forward(const std::string& listener, const std::vector<WeightedGroup>& groups) {
    Params p = {{"ListenerArn", listener}};
    for (auto& kv : forward_params(groups)) p.push_back(kv);
    m_client.call("ModifyListener", p);
}

}  // namespace hoist::aws
