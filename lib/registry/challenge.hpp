#pragma once
/// `WWW-Authenticate` challenges (RFC 7235) and the token-service scopes of the distribution spec.
///
/// A registry answers 401 with e.g.
///     WWW-Authenticate: Bearer realm="https://auth.example/token",service="registry.example",
///                       scope="repository:acme/web:pull,push"
/// Parameters may be quoted (with backslash escapes) or bare tokens, and one header may carry
/// several challenges separated by commas, so the parser is a small tokenizer rather than a split.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hoist::registry {

struct Challenge {
    std::string scheme;                         ///< lower case: "bearer", "basic"
    std::map<std::string, std::string> params;  ///< keys lower case, values unquoted

    std::string param(const std::string& key) const {
        auto it = params.find(key);
        return it == params.end() ? std::string() : it->second;
    }
};

/// Every challenge in a WWW-Authenticate header value (or several values joined by ", ").
std::vector<Challenge> parse_challenges(const std::string& header);

/// The first challenge with `scheme` ("bearer" or "basic"), if any.
std::optional<Challenge> find_challenge(const std::vector<Challenge>& all, const std::string& scheme);

/// Scope for a repository: "repository:NAME:ACTIONS", actions joined with ','.
std::string repository_scope(const std::string& repository, const std::vector<std::string>& actions);

/// The scopes a push into `repository` asks for: push and pull on it first, then pull on every
/// mount source, deduplicated, then any scopes the registry's challenge named that are not covered.
std::vector<std::string> push_scopes(const std::string& repository, const std::vector<std::string>& mount_sources,
                                     const std::string& challenge_scope = "");

/// `have` plus each scope of the space-separated `challenge_scope` not already covered by `have`
/// (same resource and a superset of its actions).
std::vector<std::string> merge_scopes(std::vector<std::string> have, const std::string& challenge_scope);

/// The scopes a pull from `repository` asks for.
std::vector<std::string> pull_scopes(const std::string& repository);

}  // namespace hoist::registry
