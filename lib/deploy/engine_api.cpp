#include "deploy/engine_api.hpp"

#include <nlohmann/json.hpp>

#include "ssh/http_response.hpp"
#include "util/strings.hpp"

namespace hoist::deploy {

std::string engine_message(const ssh::HttpResponse& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
    return trim(r.body).empty() ? "HTTP " + std::to_string(r.status) : trim(r.body);
}

std::string engine_tag_path(const std::string& config_hex, const std::string& ref) {
    std::string repo = ref, tag = "latest";
    auto colon = ref.rfind(':');
    if (colon != std::string::npos && ref.find('/', colon) == std::string::npos) {
        repo = ref.substr(0, colon);
        tag = ref.substr(colon + 1);
    }
    return "/images/sha256:" + config_hex + "/tag?repo=" + percent_encode(repo) + "&tag=" + percent_encode(tag);
}

std::string engine_load_error(const std::string& http_answer, const std::string& config_hex) {
    auto r = ssh::parse_http_response(http_answer);
    if (!r.ok()) return "no answer from the Docker Engine: " + r.error;
    if (r.status != 200) return engine_message(r);
    std::string loaded;
    for (const auto& line : split(r.body, '\n')) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) continue;
        if (j.contains("error") || j.contains("errorDetail")) {
            const auto& detail = j.contains("error") ? j["error"] : j["errorDetail"];
            const auto& e = detail.is_object() && detail.contains("message") ? detail["message"] : detail;
            return e.is_string() ? e.get<std::string>() : "the Docker Engine refused the load: " + e.dump();
        }
        if (j.contains("stream") && j["stream"].is_string()) loaded += j["stream"].get<std::string>();
    }
    if (loaded.find("sha256:" + config_hex) != std::string::npos) return "";
    return "the runtime loaded '" + trim(loaded) + "', not the image sent (sha256:" + config_hex + ")";
}

}  // namespace hoist::deploy
