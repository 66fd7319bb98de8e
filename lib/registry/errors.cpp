#include "registry/errors.hpp"

#include <nlohmann/json.hpp>

#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::registry {

std::string registry_error_codes(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return "";
    std::vector<std::string> parts;
    if (auto e = j.find("errors"); e != j.end() && e->is_array()) {
        for (auto& x : *e) {
            if (!x.is_object()) continue;
            std::string s = text_at(x, "code");
            std::string m = text_at(x, "message");
            if (!m.empty()) s += (s.empty() ? "" : ": ") + m;
            if (auto d = x.find("detail"); d != x.end() && !d->is_null()) {
                std::string ds = d->is_string() ? d->get<std::string>() : d->dump();
                if (ds.size() < 300 && ds != "null" && !ds.empty()) s += " (" + ds + ")";
            }
            if (!s.empty()) parts.push_back(s);
        }
    } else if (j.contains("error") && j["error"].is_string()) {  // token services: {"error":"invalid_grant"}
        parts.push_back(j["error"].get<std::string>() +
                        (j.contains("error_description") ? ": " + text_at(j, "error_description") : ""));
    } else if (j.contains("message") && j["message"].is_string()) {  // Docker Engine API
        parts.push_back(j["message"].get<std::string>());
    }
    return join(parts, "; ");
}

std::string printable_url(const std::string& url) {
    auto q = url.find_first_of("?#");
    return q == std::string::npos ? url : url.substr(0, q);
}

std::string describe_failure(const std::string& method, const http::Response& r) {
    std::string where = method + " " + printable_url(r.url);
    if (r.curl_code != 0) return where + ": " + r.curl_error;
    std::string msg = where + ": HTTP " + std::to_string(r.status);
    std::string codes = registry_error_codes(r.body);
    if (!codes.empty()) return msg + ": " + codes;
    std::string body = trim(r.body);
    if (!body.empty() && body.size() < 200 && body.find('<') == std::string::npos) msg += ": " + body;
    return msg;
}

}  // namespace hoist::registry
