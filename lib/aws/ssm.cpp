#include "aws/ssm.hpp"

#include <nlohmann/json.hpp>

#include "aws/error.hpp"

namespace hoist::aws {

const Service kSsm{"ssm", "ssm", "SSM", ""};

std::string get_parameters_body(const std::vector<std::string>& names) {
    return nlohmann::json{{"Names", names}, {"WithDecryption", false}}.dump();
}

SsmLookup read_parameters(const std::string& body) {
    const std::string what = "ssm GetParameters: ";
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) throw Error("", what + "the answer is not a JSON object");
    SsmLookup out;
    auto params = j.find("Parameters");
    if (params != j.end() && params->is_array())
        for (const auto& p : *params) {
            if (!p.is_object() || !p.contains("Name") || !p["Name"].is_string())
                throw Error("", what + "a parameter of the answer has no Name");
            out.found.push_back({p["Name"].get<std::string>(),
                                 p.contains("Type") && p["Type"].is_string() ? p["Type"].get<std::string>() : ""});
        }
    auto invalid = j.find("InvalidParameters");
    if (invalid != j.end() && invalid->is_array())
        for (const auto& n : *invalid)
            if (n.is_string()) out.missing.push_back(n.get<std::string>());
    return out;
}

SsmLookup lookup_parameters(QueryClient& ssm, const std::vector<std::string>& names) {
    SsmLookup all;
    for (std::size_t at = 0; at < names.size(); at += 10) {
        std::vector<std::string> part(names.begin() + static_cast<std::ptrdiff_t>(at),
                                      names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), at + 10)));
        auto got = read_parameters(ssm.call_json("AmazonSSM.GetParameters", get_parameters_body(part)));
        all.found.insert(all.found.end(), got.found.begin(), got.found.end());
        all.missing.insert(all.missing.end(), got.missing.begin(), got.missing.end());
    }
    return all;
}

}  // namespace hoist::aws
