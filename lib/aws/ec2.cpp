#include "aws/ec2.hpp"

#include "aws/error.hpp"

namespace hoist::aws {

Params describe_instances_params(const std::vector<Filter>& filters, int max_results,
                                 const std::string& next_token) {
    Params p;
    for (std::size_t i = 0; i < filters.size(); ++i) {
        std::string k = "Filter." + std::to_string(i + 1);
        p.emplace_back(k + ".Name", filters[i].name);
        for (std::size_t j = 0; j < filters[i].values.size(); ++j)
            p.emplace_back(k + ".Value." + std::to_string(j + 1), filters[i].values[j]);
    }
    if (max_results > 0) p.emplace_back("MaxResults", std::to_string(max_results));
    if (!next_token.empty()) p.emplace_back("NextToken", next_token);
    return p;
}

std::vector<Instance> read_instances(const XmlElement& doc, std::string& next_token) {
    std::vector<Instance> out;
    next_token = doc.text_at("nextToken");
    const XmlElement* set = doc.child("reservationSet");
    if (!set) return out;
    for (const auto* r : set->children_named("item")) {
        const XmlElement* instances = r->child("instancesSet");
        if (!instances) continue;
        for (const auto* i : instances->children_named("item")) {
            Instance in;
            in.id = i->text_at("instanceId");
            in.state = i->text_at("instanceState/name");
            in.private_ip = i->text_at("privateIpAddress");
            in.public_ip = i->text_at("ipAddress");
            if (const XmlElement* tags = i->child("tagSet"))
                for (const auto* t : tags->children_named("item"))
                    in.tags[t->text_at("key")] = t->text_at("value");
            out.push_back(in);
        }
    }
    return out;
}

std::vector<Instance> describe_instances(QueryClient& ec2, const std::vector<Filter>& filters, int page_size,
                                         int max_pages) {
    std::vector<Instance> all;
    std::string token;
    for (int page = 0; page < max_pages; ++page) {
        XmlElement doc = ec2.call("DescribeInstances", describe_instances_params(filters, page_size, token));
        auto got = read_instances(doc, token);
        all.insert(all.end(), got.begin(), got.end());
        if (token.empty()) return all;
    }
    throw Error("", "ec2 DescribeInstances at " + ec2.endpoint() + " still had a nextToken after " +
                        std::to_string(max_pages) + " pages");
}

}  // namespace hoist::aws
