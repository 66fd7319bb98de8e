#pragma once
/// Registry authentication: anonymous, Basic, and the Bearer token flow of the distribution spec.
///
/// The flow: a request answered 401 carries `WWW-Authenticate`. Basic means "send credentials on
/// every request". Bearer names a token service (realm, service, scope); hoist asks it for a token
/// covering every scope the whole operation needs (push+pull on the target, pull on each mount
/// source), authenticating with Basic credentials, or with an identity token as an OAuth2 refresh
/// token (POST grant_type=refresh_token), and sends `Authorization: Bearer <token>` from then on.
/// Tokens are re-fetched shortly before `expires_in` runs out and whenever the registry answers
/// 401 to a request that carried one (revoked, or the scope was not enough).
///
/// The Authorization header is attached per request and only to the registry's own origin
/// (`same_origin`), so a redirect to blob storage on another host never receives it.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "registry/challenge.hpp"
#include "registry/credentials.hpp"
#include "http/http.hpp"

namespace hoist::registry {

/// Whether credentials may be sent to the token service at `realm` for the registry at `origin`
/// ("scheme://host[:port]"): over HTTPS anywhere (Docker Hub's realm is another host), over
/// plain HTTP only to the registry's own host when the registry itself is plain HTTP.
bool realm_may_receive_credentials(const std::string& origin, const std::string& realm);

class Authenticator {
public:
    /// `origin`: "scheme://host[:port]" of the registry.
    Authenticator(std::string origin, Credentials credentials, bool insecure_tls);

    /// The scopes asked for with every token (see push_scopes / pull_scopes).
    void set_scopes(std::vector<std::string> scopes) { m_scopes = std::move(scopes); }
    /// Adds the Authorization header when the request goes to the registry's origin.
    void apply(http::Request& request);
    /// Learns from a 401 answer. True when a retry carries new authorization worth trying;
    /// false when nothing more can be done (the 401 is the verdict). Throws hoist::Error (exit 5)
    /// when the token service itself refuses, with its status and message.
    bool on_unauthorized(const http::Response& response);
    /// Re-fetches a Bearer token that expires within the next 30 seconds.
    void refresh_if_expiring();

    const Credentials& credentials() const { return m_credentials; }
    /// "anonymous", "basic" or "bearer": what is currently sent.
    std::string mode() const;

private:
    void fetch_token();

    std::string m_origin;
    Credentials m_credentials;
    bool m_insecure_tls;
    std::vector<std::string> m_scopes;
    std::optional<Challenge> m_bearer;
    bool m_basic = false;
    std::string m_token;  // never printed
    std::chrono::steady_clock::time_point m_token_expiry{};
    std::string m_challenge_scope;
};

}  // namespace hoist::registry
