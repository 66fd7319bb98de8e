// SigV4 header signing, step by step as AWS documents it ("Create a canonical request", "Create a
// string to sign", "Calculate the signature"). The subtle parts are all in the canonical request:
// - the path is normalised (dot segments removed, empty segments collapsed) and then encoded once
//   more, so an escape already on the wire (%20) becomes %2520: that is AWS's rule for every
//   service but S3;
// - query names and values are decoded first and re-encoded strictly (space as %20, never '+'),
//   then sorted by name and, for a repeated name, by value;
// - header values lose leading/trailing whitespace and every inner run of spaces or tabs becomes
//   one space, even inside quotes; a repeated header becomes one line with values joined by ','.
#include "aws/sigv4.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace hoist::aws {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Trims and collapses runs of spaces and tabs to one space.
std::string trim_all(std::string_view v) {
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
    std::string want = to_lower(name);
    for (const auto& [k, v] : headers)
        if (to_lower(k) == want) return v;
    return std::nullopt;
}

std::string uri_encode(std::string_view s, bool keep_slash) { return percent_encode(s, keep_slash); }

std::string uri_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

std::string canonical_uri(std::string_view path, bool normalize) {
    if (path.empty()) return "/";
    if (!normalize) return uri_encode(path, true);
    std::vector<std::string> out;
    auto parts = split(path, '/');
    for (const auto& seg : parts) {
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") {
            if (!out.empty()) out.pop_back();
            continue;
        }
        out.push_back(seg);
    }
    std::string result = "/";
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i) result += '/';
        result += uri_encode(out[i]);
    }
    // A trailing slash is kept ("//example//" -> "/example/"), but "/a/.." is just "/".
    const std::string& last = parts.back();
    if (!out.empty() && (last.empty() || last == "." || last == "..")) result += '/';
    return result;
}

std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& piece : split(query, '&')) {
        if (piece.empty()) continue;
        auto eq = piece.find('=');
        std::string name = piece.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : piece.substr(eq + 1);
        params.emplace_back(uri_encode(uri_decode(name)), uri_encode(uri_decode(value)));
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty()) out += '&';
        out += k + "=" + v;
    }
    return out;
}

CanonicalHeaders canonical_headers(const HttpRequest& request,
                                   const std::vector<std::string>& unsigned_headers) {
    std::map<std::string, std::string> merged;  // sorted by lower-case name
    for (const auto& [name, value] : request.headers) {
        std::string key = to_lower(trim(name));
        if (std::find(unsigned_headers.begin(), unsigned_headers.end(), key) != unsigned_headers.end())
            continue;
        auto [it, fresh] = merged.emplace(key, trim_all(value));
        if (!fresh) it->second += "," + trim_all(value);
    }
    CanonicalHeaders out;
    for (const auto& [k, v] : merged) {
        out.text += k + ":" + v + "\n";
        if (!out.signed_headers.empty()) out.signed_headers += ';';
        out.signed_headers += k;
    }
    return out;
}

std::string canonical_request(const HttpRequest& request, const SigningOptions& options) {
    auto h = canonical_headers(request, options.unsigned_headers);
    return request.method + "\n" + canonical_uri(request.path, options.normalize_path) + "\n" +
           canonical_query(request.query) + "\n" + h.text + "\n" + h.signed_headers + "\n" +
           sha256_hex(request.body);
}

std::string credential_scope(std::string_view amz_date, std::string_view region, std::string_view service) {
    return std::string(amz_date.substr(0, 8)) + "/" + std::string(region) + "/" + std::string(service) +
           "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
    return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
           sha256_hex(canonical_request);
}

std::string signing_key(const Secret& secret, std::string_view date, std::string_view region,
                        std::string_view service) {
    std::string k = hmac_sha256("AWS4" + secret.reveal(), date);
    k = hmac_sha256(k, region);
    k = hmac_sha256(k, service);
    return hmac_sha256(k, "aws4_request");
}

std::string signature(const std::string& key, std::string_view sts) {
    std::string mac = hmac_sha256(key, sts);
    return to_hex(mac);
}

SigningResult sign(HttpRequest& request, const Credentials& credentials, const SigningOptions& options) {
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty())
        throw std::invalid_argument("SigV4: no access key to sign with");
    std::string date = options.amz_date;
    if (date.empty()) date = request.header("x-amz-date").value_or("");
    if (date.empty()) date = amz_date(static_cast<long long>(std::time(nullptr)));
    if (!request.header("x-amz-date")) request.headers.emplace_back("X-Amz-Date", date);
    bool token = !credentials.session_token.empty();
    if (token && options.sign_session_token && !request.header("x-amz-security-token"))
        request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());

    SigningResult r;
    r.canonical_request = canonical_request(request, options);
    std::string scope = credential_scope(date, options.region, options.service);
    r.string_to_sign = string_to_sign(date, scope, r.canonical_request);
    std::string key =
        signing_key(credentials.secret_access_key, date.substr(0, 8), options.region, options.service);
    r.authorization =
        "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
        ", SignedHeaders=" + canonical_headers(request, options.unsigned_headers).signed_headers +
        ", Signature=" + signature(key, r.string_to_sign);
    if (token && !options.sign_session_token)
        request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());
    request.headers.emplace_back("Authorization", r.authorization);
    return r;
}

std::string amz_date(long long epoch_s) {
    std::time_t t = static_cast<std::time_t>(epoch_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

}  // namespace hoist::aws
