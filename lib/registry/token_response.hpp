#pragma once
/// The answer of a registry token service (the Docker token and OAuth2 protocols): a token under
/// "token" or "access_token" and its lifetime in seconds. Pure, so it is fuzzed alone: the
/// service is named by the registry's 401, and its JSON is untrusted.
#include <optional>
#include <string>

namespace hoist::registry {

struct TokenAnswer {
    std::string token;
    long expires_in = 60;  ///< seconds, at least 60 (the distribution spec's minimum), at most a day
};

/// nullopt when `body` is not a JSON object carrying a non-empty string token.
std::optional<TokenAnswer> parse_token_response(const std::string& body);

}  // namespace hoist::registry
