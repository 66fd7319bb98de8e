#include "registry/auth.hpp"

#include <algorithm>
#include <thread>


#include "util/base64.hpp"
#include "registry/errors.hpp"
#include "registry/token_response.hpp"
#include "http/url.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

using Clock = std::chrono::steady_clock;

Authenticator::Authenticator(std::string origin, Credentials credentials, bool insecure_tls)
    : m_origin(std::move(origin)), m_credentials(std::move(credentials)), m_insecure_tls(insecure_tls) {}

std::string Authenticator::mode() const {
    if (!m_token.empty()) return "bearer";
    if (m_basic) return "basic";
    return "anonymous";
}

void Authenticator::apply(http::Request& request) {
    if (!http::same_origin(m_origin, request.url)) return;
    if (!m_token.empty()) {
        request.headers.push_back("Authorization: Bearer " + m_token);
    } else if (m_basic && !m_credentials.username.empty()) {
        request.headers.push_back("Authorization: Basic " +
                                  base64_encode(m_credentials.username + ":" + m_credentials.password.reveal()));
    }
}

bool Authenticator::on_unauthorized(const http::Response& r) {
    auto challenges = parse_challenges(r.header_all("www-authenticate"));
    if (auto bearer = find_challenge(challenges, "bearer")) {
        std::string scope = bearer->param("scope");
        // A 401 although we sent a token that covered this scope: the token is not good any more
        // (expired early, revoked). One fresh token is worth a try; the caller bounds retries.
        m_bearer = bearer;
        m_challenge_scope = scope;
        fetch_token();
        return true;
    }
    if (find_challenge(challenges, "basic")) {
        if (m_basic || m_credentials.username.empty()) return false;  // already sent, or nothing to send
        m_basic = true;
        return true;
    }
    return false;
}

void Authenticator::refresh_if_expiring() {
    if (m_token.empty() || !m_bearer) return;
    if (Clock::now() + std::chrono::seconds(30) >= m_token_expiry) fetch_token();
}

bool realm_may_receive_credentials(const std::string& origin, const std::string& realm) {
    auto r = http::Url::parse(realm), o = http::Url::parse(origin);
    if (!r || !o) return false;
    if (r->scheme == "https") return true;
    // Plain HTTP only back to the host of a registry that is itself spoken to over plain HTTP
    // (one the user named insecure, or loopback): a token service beside it on another port.
    return o->scheme == "http" && r->host == o->host;
}

void Authenticator::fetch_token() {
    std::string realm = m_bearer->param("realm");
    auto realm_url = http::Url::parse(realm);
    if (!realm_url)
        throw Error(ExitCode::build_push, "registry " + m_origin + " asked for a token from an invalid realm '" + realm + "'");
    // The realm is whatever the registry's 401 says; credentials go there only under the rule
    // above, so a registry (or whoever answers for it) cannot have them sent in clear elsewhere.
    if (!m_credentials.anonymous() && !realm_may_receive_credentials(m_origin, realm))
        throw Error(ExitCode::build_push, "registry " + m_origin + " asked for a token from " + printable_url(realm) +
                                              ": not sending credentials from " + m_credentials.source +
                                              " there, hoist sends them to a token service only over HTTPS (or over "
                                              "plain HTTP to the host of a registry named insecure)");
    std::string service = m_bearer->param("service");
    auto scopes = merge_scopes(m_scopes, m_challenge_scope);

    http::Request req;
    // registry.insecure names the registry's host, not every host its 401 points at.
    auto origin_url = http::Url::parse(m_origin);
    req.insecure_tls = m_insecure_tls && origin_url && origin_url->host == realm_url->host;
    req.timeout_s = 60;
    if (!m_credentials.identity_token.empty()) {
        // OAuth2 refresh-token grant (what `docker login` stores as "identitytoken").
        req.method = "POST";
        req.url = realm;
        req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
        req.body = "grant_type=refresh_token&client_id=hoist&refresh_token=" +
                   http::url_encode(m_credentials.identity_token.reveal()) + "&service=" + http::url_encode(service) +
                   "&scope=" + http::url_encode(join(scopes, " "));
    } else {
        std::string url = realm;
        if (!service.empty()) url = http::add_query(url, "service", service);
        for (auto& s : scopes) url = http::add_query(url, "scope", s);
        if (!m_credentials.username.empty()) url = http::add_query(url, "account", m_credentials.username);
        req.url = url;
        if (!m_credentials.username.empty())
            req.headers.push_back("Authorization: Basic " +
                                  base64_encode(m_credentials.username + ":" + m_credentials.password.reveal()));
    }
    http::Response r;
    for (int attempt = 1;; ++attempt) {
        r = http::perform(req);
        if (r.curl_code == 0 && r.status < 500) break;
        if (attempt >= 3)
            throw Error(ExitCode::build_push, "token service: " + describe_failure(req.method, r));
        std::this_thread::sleep_for(std::chrono::milliseconds(300 * attempt));
    }
    if (r.status != 200) {
        std::string who = m_credentials.anonymous() ? "anonymous access" : "credentials from " + m_credentials.source;
        throw Error(ExitCode::build_push, "token service refused " + who + ": " + describe_failure(req.method, r));
    }
    auto answer = parse_token_response(r.body);
    if (!answer) throw Error(ExitCode::build_push, "token service at " + printable_url(realm) + " returned no token");
    m_token = answer->token;
    m_token_expiry = Clock::now() + std::chrono::seconds(answer->expires_in);
}

}  // namespace hoist::registry
