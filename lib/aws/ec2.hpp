#pragma once
/// EC2 DescribeInstances, the one EC2 call hoist makes: instances matching filters, every page.
#include <map>
#include <string>
#include <vector>

#include "aws/query.hpp"

namespace hoist::aws {

struct Instance {
    std::string id;
    std::string state;  ///< pending | running | shutting-down | terminated | stopping | stopped
    std::string private_ip;
    std::string public_ip;  ///< empty when the instance has none
    std::map<std::string, std::string> tags;
};

/// A filter: Name and its accepted values (any of them matches).
struct Filter {
    std::string name;
    std::vector<std::string> values;
};

/// The request parameters of one page.
Params describe_instances_params(const std::vector<Filter>& filters, int max_results,
                                 const std::string& next_token);
/// Instances of one response page, and its nextToken ("" on the last page).
std::vector<Instance> read_instances(const XmlElement& doc, std::string& next_token);

/// Every instance matching `filters`, following nextToken (at most `max_pages` pages, then an error:
/// a token that never ends is a bug on one side, not a fleet).
std::vector<Instance> describe_instances(QueryClient& ec2, const std::vector<Filter>& filters,
                                         int page_size = 1000, int max_pages = 1000);

}  // namespace hoist::aws
