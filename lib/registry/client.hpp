#pragma once
/// A client for one repository of one registry (OCI distribution spec 1.1): the `/v2/` probe,
/// manifests (HEAD, GET with platform selection, PUT of exact bytes) and small blob reads, with
/// authentication, retries and redirects. Blob uploads run in parallel through `upload_blobs`
/// (blob_uploads.hpp), which shares this client's authenticator and retry policy.
#include <optional>
#include <string>

#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "registry/auth.hpp"
#include "http/http.hpp"
#include "http/retry.hpp"

namespace hoist::registry {

struct ClientOptions {
    bool insecure = false;  ///< plain HTTP and unverified TLS (the pipeline's registry.insecure)
    int max_parallel = 4;   ///< blob transfers at once
    http::RetryPolicy retry;
};

/// A fetched manifest: its exact bytes, what it is, and the digest of those bytes.
struct FetchedManifest {
    std::string bytes;
    std::string media_type;
    oci::Digest digest;
};

class Client {
public:
    /// `registry`: host[:port] (the API host, see Reference::api_host); `repository`: "acme/web".
    Client(const std::string& registry, std::string repository, Credentials credentials, ClientOptions options);

    const std::string& origin() const { return m_origin; }
    const std::string& repository() const { return m_repository; }
    const ClientOptions& options() const { return m_options; }
    Authenticator& auth() { return m_auth; }

    /// "<origin>/v2/<repository><path>".
    std::string repo_url(const std::string& path) const;

    /// GET /v2/: checks the registry answers the v2 API and authenticates up front, so parallel
    /// transfers do not all start with a 401. Throws hoist::Error (exit 5) when it cannot.
    void probe();

    /// Sends a request with authorization, retries (connection errors, 408, 429, 5xx) and, for
    /// GET and HEAD, redirects. Returns the final response, which may be a non-2xx verdict.
    http::Response send(http::Request request);

    /// The digest of the manifest `ref` (tag or digest) if the registry has it.
    std::optional<oci::Digest> head_manifest(const std::string& ref);
    /// GET a manifest or index as stored.
    FetchedManifest get_manifest(const std::string& ref);
    /// GET a manifest; an index is resolved to the entry for `platform`.
    FetchedManifest get_manifest_for(const std::string& ref, const oci::Platform& platform);
    /// PUT exact manifest bytes under `ref`; returns the digest (checked against the registry's).
    oci::Digest put_manifest(const std::string& ref, const std::string& bytes, const std::string& media_type);
    /// GET a small blob (a config) and verify its digest.
    std::string get_blob(const oci::Digest& digest);

    /// Turns a failed response into hoist::Error (exit 5) saying what was attempted.
    [[noreturn]] void fail(const std::string& what, const std::string& method, const http::Response& r) const;

private:
    std::string m_origin;
    std::string m_repository;
    ClientOptions m_options;
    Authenticator m_auth;
};

/// "http" when `insecure` or the host is a loopback address (as Docker allows), else "https".
std::string scheme_for(const std::string& registry, bool insecure);
/// True when the host of `registry` (host[:port]) is exactly `localhost`, `[::1]` or an IPv4
/// address in 127.0.0.0/8.
bool is_loopback_registry(const std::string& registry);

}  // namespace hoist::registry
