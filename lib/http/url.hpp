#pragma once
/// URLs as the HTTP clients (registry, AWS) need them: parse, resolve a `Location` header against the request
/// URL (RFC 3986 section 5.2), add query parameters, and decide whether credentials may follow a
/// redirect.
///
/// Why this is hand-written: registries answer upload requests with a `Location` that may be
/// absolute (`https://blobs.example/...?X-Amz-Signature=...`), host-relative (`/v2/acme/web/blobs/
/// uploads/uuid?_state=...`) or, rarely, path-relative; the query (`_state`, signed URL parameters)
/// must be kept byte for byte, because re-encoding it breaks signatures.
#include <optional>
#include <string>

namespace hoist::http {

struct Url {
    std::string scheme;    ///< "http" or "https", lower case
    std::string host;      ///< lower case; IPv6 literals keep their brackets
    std::string port;      ///< empty: the scheme's default
    std::string path;      ///< starts with '/', at least "/"
    std::string query;     ///< without '?', empty when absent
    std::string fragment;  ///< without '#'

    /// Parses an absolute http(s) URL; nullopt otherwise.
    static std::optional<Url> parse(const std::string& s);
    std::string str() const;
    /// "host" or "host:port" with the default port omitted.
    std::string authority() const;
    /// The port number, defaulted from the scheme.
    int effective_port() const;
};

/// Resolves `location` (absolute, scheme-relative, host-relative or path-relative) against `base`.
/// The query of `location` is kept exactly; the base's query and fragment are never carried over.
std::string resolve_location(const std::string& base, const std::string& location);

/// Appends `key=value` (value percent-encoded) to the URL's query.
std::string add_query(const std::string& url, const std::string& key, const std::string& value);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(const std::string& s);

/// True when an Authorization header sent to `from` may also be sent to `to`: same scheme, host
/// and port. Anything else (another host, a downgrade to http) drops it.
bool same_origin(const std::string& from, const std::string& to);

}  // namespace hoist::http
