#include "registry/token_response.hpp"

#include <nlohmann/json.hpp>

namespace hoist::registry {

std::optional<TokenAnswer> parse_token_response(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    TokenAnswer a;
    // Typed lookups: json::value() throws when a field has another type than the default's.
    for (const char* key : {"token", "access_token"}) {
        auto it = j.find(key);
        if (it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
            a.token = it->get<std::string>();
            break;
        }
    }
    if (a.token.empty()) return std::nullopt;
    auto e = j.find("expires_in");
    if (e != j.end() && e->is_number()) {
        // Clamped as a double first: converting 1e300 to long is undefined behaviour.
        double v = e->get<double>();
        a.expires_in = v < 60 ? 60 : v > 86400 ? 86400 : static_cast<long>(v);
    }
    return a;
}

}  // namespace hoist::registry
