#include "registry/client.hpp"

#include <ctime>
#include <thread>

#include "oci/media_types.hpp"
#include "registry/errors.hpp"
#include "http/url.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

bool is_loopback_registry(const std::string& registry) {
    // The host part of host[:port], matched whole: `localhost.corp.example` and `127.foo.example`
    // are names anyone can register, not loopback.
    std::string host = registry;
    if (starts_with(host, "[")) {
        auto close = host.find(']');
        if (close == std::string::npos || (close + 1 < host.size() && host[close + 1] != ':')) return false;
        host = host.substr(0, close + 1);
    } else if (auto colon = host.find(':'); colon != std::string::npos) {
        host = host.substr(0, colon);
    }
    host = to_lower(host);
    if (host == "localhost" || host == "[::1]") return true;
    return starts_with(host, "127.") && is_ip_address(host);
}

std::string scheme_for(const std::string& registry, bool insecure) {
    return insecure || is_loopback_registry(registry) ? "http" : "https";
}

Client::Client(const std::string& registry, std::string repository, Credentials credentials, ClientOptions options)
    : m_origin(scheme_for(registry, options.insecure) + "://" + registry),
      m_repository(std::move(repository)),
      m_options(options),
      m_auth(m_origin, std::move(credentials), options.insecure) {}

std::string Client::repo_url(const std::string& path) const { return m_origin + "/v2/" + m_repository + path; }

void Client::fail(const std::string& what, const std::string& method, const http::Response& r) const {
    std::string msg = what + ": " + describe_failure(method, r);
    if (r.status == 401 || r.status == 403) msg += " (authenticated as: " + m_auth.mode() + ", credentials from " +
                                                   m_auth.credentials().source + ")";
    throw Error(ExitCode::build_push, msg);
}

http::Response Client::send(http::Request request) {
    request.insecure_tls = m_options.insecure;
    const std::string method = request.method;
    std::string url = request.url;
    int attempt = 1, reauth = 0, redirects = 0;
    while (true) {
        m_auth.refresh_if_expiring();
        http::Request r = request;
        r.url = url;
        m_auth.apply(r);
        http::Response resp = http::perform(std::move(r));
        if (resp.curl_code == 0 && resp.status == 401 && reauth < 2 && http::same_origin(m_origin, url)) {
            ++reauth;
            if (m_auth.on_unauthorized(resp)) continue;
            return resp;
        }
        bool redirect = resp.curl_code == 0 && (resp.status == 301 || resp.status == 302 || resp.status == 303 ||
                                                resp.status == 307 || resp.status == 308);
        if (redirect && (method == "GET" || method == "HEAD") && !resp.header("location").empty() && redirects < 5) {
            ++redirects;
            url = http::resolve_location(url, resp.header("location"));  // apply() keeps auth off other origins
            continue;
        }
        http::AttemptOutcome o{resp.curl_code, resp.status, resp.header("retry-after")};
        auto delay = http::retry_delay(m_options.retry, attempt, o, http::jitter_sample(), std::time(nullptr));
        if (!delay) return resp;
        ++attempt;
        std::this_thread::sleep_for(*delay);
    }
}

void Client::probe() {
    http::Request r;
    r.url = m_origin + "/v2/";
    r.timeout_s = 60;
    http::Response resp = send(r);
    if (resp.curl_code != 0) fail("registry " + m_origin + " is not reachable", "GET", resp);
    if (resp.status == 200) return;
    if (resp.status == 404) fail("registry " + m_origin + " does not speak the registry v2 API", "GET", resp);
    fail("registry " + m_origin, "GET", resp);
}

std::optional<oci::Digest> Client::head_manifest(const std::string& ref) {
    http::Request r;
    r.method = "HEAD";
    r.url = repo_url("/manifests/" + ref);
    r.headers.push_back("Accept: " + std::string(oci::media::manifest_accept));
    r.timeout_s = 60;
    http::Response resp = send(r);
    if (resp.curl_code == 0 && resp.status == 404) return std::nullopt;
    if (!resp.ok()) fail("checking manifest " + m_repository + ":" + ref, "HEAD", resp);
    return oci::Digest::parse(resp.header("docker-content-digest"));
}

FetchedManifest Client::get_manifest(const std::string& ref) {
    http::Request r;
    r.url = repo_url("/manifests/" + ref);
    r.headers.push_back("Accept: " + std::string(oci::media::manifest_accept));
    r.timeout_s = 120;
    http::Response resp = send(r);
    if (!resp.ok()) fail("fetching manifest " + m_repository + ":" + ref, "GET", resp);
    FetchedManifest m;
    m.bytes = std::move(resp.body);
    m.digest = oci::sha256_of(m.bytes);
    std::string ct = resp.header("content-type");
    if (auto semi = ct.find(';'); semi != std::string::npos) ct = trim(ct.substr(0, semi));
    m.media_type = oci::declared_media_type(m.bytes, ct);
    if (auto d = oci::Digest::parse(ref); d && *d != m.digest)
        throw Error(ExitCode::build_push, "manifest " + m_repository + "@" + ref + " from " + m_origin +
                                              " does not match its digest (got " + m.digest.str() + ")");
    return m;
}

FetchedManifest Client::get_manifest_for(const std::string& ref, const oci::Platform& platform) {
    FetchedManifest m = get_manifest(ref);
    if (!oci::media::is_index(m.media_type)) return m;
    oci::Index index = oci::parse_index(m.bytes, m_repository + ":" + ref);
    const oci::Descriptor* d = index.select(platform);
    if (!d) {
        std::vector<std::string> have;
        for (auto& e : index.manifests)
            if (e.platform) have.push_back(e.platform->str());
        throw Error(ExitCode::build_push, m_repository + ":" + ref + " has no image for " + platform.str() +
                                              " (it has: " + join(have, ", ") + ")");
    }
    return get_manifest(d->digest.str());
}

oci::Digest Client::put_manifest(const std::string& ref, const std::string& bytes, const std::string& media_type) {
    http::Request r;
    r.method = "PUT";
    r.url = repo_url("/manifests/" + ref);
    r.headers.push_back("Content-Type: " + media_type);
    r.body = bytes;
    r.timeout_s = 120;
    http::Response resp = send(r);
    if (!resp.ok()) fail("pushing manifest " + m_repository + ":" + ref, "PUT", resp);
    oci::Digest mine = oci::sha256_of(bytes);
    auto theirs = oci::Digest::parse(resp.header("docker-content-digest"));
    if (theirs && *theirs != mine)
        throw Error(ExitCode::build_push, "registry stored manifest " + m_repository + ":" + ref + " as " +
                                              theirs->str() + " but hoist sent " + mine.str());
    return mine;
}

std::string Client::get_blob(const oci::Digest& digest) {
    http::Request r;
    r.url = repo_url("/blobs/" + digest.str());
    r.timeout_s = 300;
    http::Response resp = send(r);
    if (!resp.ok()) fail("fetching blob " + digest.str() + " of " + m_repository, "GET", resp);
    if (oci::sha256_of(resp.body) != digest)
        throw Error(ExitCode::build_push, "blob " + digest.str() + " from " + m_origin + " does not match its digest");
    return std::move(resp.body);
}

}  // namespace hoist::registry
