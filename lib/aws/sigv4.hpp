#pragma once
/// AWS Signature Version 4, header flavour (the `Authorization: AWS4-HMAC-SHA256 ...` header that
/// every AWS Query API request carries).
///
/// Signing is four pure steps, each exposed so that tests can compare them with AWS's published
/// test suite one by one: the canonical request (method, normalised path, sorted and re-encoded
/// query, lower-cased sorted headers with whitespace collapsed, SHA-256 of the body), the string to
/// sign (algorithm, date, scope, hash of the canonical request), the signing key (an HMAC chain from
/// the secret over date, region, service and "aws4_request") and the signature (HMAC of the string
/// to sign). `sign` runs them and adds the headers to the request.
///
/// The session token (`X-Amz-Security-Token`) is signed like any header, which is what every
/// current AWS service expects; `sign_session_token = false` appends it after signing instead
/// (the suite's "post-sts-header-after" case, still accepted by a few old services).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/secret.hpp"

namespace hoist::aws {

/// An access key: the id is not secret, the secret key and session token are.
struct Credentials {
    std::string access_key_id;
    Secret secret_access_key;
    Secret session_token;           ///< empty for long-term keys
    std::string source;             ///< where the keys were found, for messages ("environment", ...)
    long long expires_epoch_s = 0;  ///< 0: does not expire (static keys)
};

/// A request as the signer sees it; `sign` adds headers to it.
struct HttpRequest {
    std::string method = "GET";
    std::string path = "/";  ///< as sent (may hold %XX escapes or raw UTF-8)
    std::string query;       ///< as sent, without '?'
    std::vector<std::pair<std::string, std::string>> headers;  ///< in order; a name may repeat
    std::string body;

    /// Value of the first header named `name` (any case), or nullopt.
    std::optional<std::string> header(std::string_view name) const;
};

struct SigningOptions {
    std::string region;
    std::string service;   ///< signing name: "elasticloadbalancing", "ec2"
    std::string amz_date;  ///< "YYYYMMDDTHHMMSSZ"; empty: the request's X-Amz-Date, else now (UTC)
    bool sign_session_token = true;
    bool normalize_path = true;  ///< RFC 3986 dot-segment removal and // collapse (every service but S3)
    /// Lower-case names left out of the signature even when present (proxies may change them).
    std::vector<std::string> unsigned_headers = {"authorization", "user-agent", "expect", "x-amzn-trace-id"};
};

/// Percent-encodes every byte but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), as
/// %XY with upper-case hex; '/' is kept when `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash = false);
/// Decodes %XY escapes (a malformed escape is kept as is); '+' stays '+'.
std::string uri_decode(std::string_view s);

/// The path part of the canonical request.
std::string canonical_uri(std::string_view path, bool normalize);
/// The query part: every name and value decoded, re-encoded, sorted by name then value.
std::string canonical_query(std::string_view query);

struct CanonicalHeaders {
    std::string text;            ///< "name:value\n" lines, sorted
    std::string signed_headers;  ///< "host;x-amz-date"
};
/// Lower-cased names, values trimmed with inner whitespace runs collapsed to one space, repeated
/// names joined with ',' in order of appearance, sorted by name.
CanonicalHeaders canonical_headers(const HttpRequest& request,
                                   const std::vector<std::string>& unsigned_headers);

/// The whole canonical request (the request must already carry every header that is signed).
std::string canonical_request(const HttpRequest& request, const SigningOptions& options);
/// "20150830/us-east-1/service/aws4_request"
std::string credential_scope(std::string_view amz_date, std::string_view region, std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
/// The derived key (raw bytes). It is as sensitive as the secret for one day, region and service.
std::string signing_key(const Secret& secret, std::string_view date, std::string_view region,
                        std::string_view service);
/// Hex HMAC-SHA256 of the string to sign.
std::string signature(const std::string& key, std::string_view string_to_sign);

/// What `sign` computed, for tests and for diagnosing a rejected signature (holds no secret key,
/// but the canonical request holds the session token when one is signed: never log it).
struct SigningResult {
    std::string canonical_request;
    std::string string_to_sign;
    std::string authorization;  ///< the Authorization header value
};

/// Signs `request` in place: adds X-Amz-Date (unless present), X-Amz-Security-Token (when the
/// credentials have one) and Authorization.
SigningResult sign(HttpRequest& request, const Credentials& credentials, const SigningOptions& options);

/// "YYYYMMDDTHHMMSSZ" for a Unix time.
std::string amz_date(long long epoch_s);

}  // namespace hoist::aws
