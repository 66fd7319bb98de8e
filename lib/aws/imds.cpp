// IMDSv2 client. The token is a secret for six hours (it lets anything on the instance read the
// role's keys), so it travels only in the request header and never into a message. A 401 on a GET
// means the token was refused: fetching a fresh one is the documented remedy, done once.
#include "aws/imds.hpp"

#include <ctime>

#include <nlohmann/json.hpp>

#include "aws/error.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

namespace hoist::aws {

namespace {

http::Response call(const ImdsOptions& o, const std::string& method, const std::string& path,
                        const std::string& header) {
    http::Request r;
    r.method = method;
    r.url = o.endpoint + path;
    r.headers.push_back(header);
    r.timeout_s = o.timeout_s;
    return o.transport(std::move(r));
}

std::string no_answer(const ImdsOptions& o, const http::Response& r) {
    if (r.curl_code != 0)
        return "no instance metadata service answered at " + o.endpoint + " (" + r.curl_error + ")";
    return "the instance metadata service at " + o.endpoint + " answered HTTP " + std::to_string(r.status);
}

}  // namespace

std::string imds_endpoint(const Env& env) {
    std::string e = env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("");
    if (e.empty())
        e = to_lower(env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").value_or("")) == "ipv6"
                ? "http://[fd00:ec2::254]"
                : "http://169.254.169.254";
    while (!e.empty() && e.back() == '/') e.pop_back();
    return e;
}

std::optional<long long> parse_iso8601(const std::string& text) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) return std::nullopt;
    if (*end == '.')
        while (*++end >= '0' && *end <= '9') {
        }
    if (*end != 'Z' && *end != '\0') return std::nullopt;
    return static_cast<long long>(timegm(&tm));
}

std::optional<Credentials> imds_credentials(const ImdsOptions& o, std::string& why) {
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto t = call(o, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 21600");
        if (!t.ok()) {
            why = no_answer(o, t) + " to PUT /latest/api/token";
            return std::nullopt;
        }
        Secret token(trim(t.body));
        std::string auth = "X-aws-ec2-metadata-token: " + token.reveal();
        auto roles = call(o, "GET", base, auth);
        if (roles.status == 401 && attempt == 0) continue;  // token refused: get a fresh one
        if (roles.status == 404) {
            why = "the instance at " + o.endpoint + " has no IAM role (instance profile)";
            return std::nullopt;
        }
        if (!roles.ok()) {
            why = no_answer(o, roles) + " to GET " + base;
            return std::nullopt;
        }
        std::string role = trim(split(trim(roles.body), '\n').front());
        if (role.empty()) {
            why = "the instance at " + o.endpoint + " has no IAM role (instance profile)";
            return std::nullopt;
        }
        auto c = call(o, "GET", base + role, auth);
        if (c.status == 401 && attempt == 0) continue;
        if (!c.ok()) {
            why = no_answer(o, c) + " to GET " + base + role;
            return std::nullopt;
        }
        nlohmann::json j = nlohmann::json::parse(c.body, nullptr, false);
        if (!j.is_object() || text_at(j, "Code") != "Success" || !j.contains("AccessKeyId") ||
            !j.contains("SecretAccessKey"))
            throw Error("", "the instance metadata service at " + o.endpoint +
                                " gave unreadable credentials for role " + role +
                                (j.is_object() ? " (Code " + text_at(j, "Code", "?") + ")" : ""));
        Credentials out;
        out.access_key_id = j["AccessKeyId"].get<std::string>();
        out.secret_access_key = Secret(j["SecretAccessKey"].get<std::string>());
        out.session_token = Secret(text_at(j, "Token"));
        out.source = "instance metadata (IMDSv2) at " + o.endpoint + ", role " + role;
        if (auto e = parse_iso8601(text_at(j, "Expiration"))) out.expires_epoch_s = *e;
        return out;
    }
    why = "the instance metadata service at " + o.endpoint + " refused two fresh session tokens (HTTP 401)";
    return std::nullopt;
}

}  // namespace hoist::aws
