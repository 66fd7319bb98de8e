#include "aws/ecr.hpp"

#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "aws/error.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace hoist::aws {

namespace {

bool all_of_class(const std::string& s, bool (*ok)(char)) {
    if (s.empty()) return false;
    for (char c : s)
        if (!ok(c)) return false;
    return true;
}
bool digit(char c) {
    return c >= '0' && c <= '9';
}
bool region_char(char c) {
    return (c >= 'a' && c <= 'z') || digit(c) || c == '-';
}

std::mutex g_mutex;
std::map<std::string, EcrToken> g_tokens;  // by region and endpoint

std::string plain_words(const Error& e, const std::string& registry, const std::string& region,
                        const std::string& endpoint) {
    std::string where = "ECR registry " + registry + " (region " + region + ")";
    const std::string& code = e.aws_code();
    if (code == "UnrecognizedClientException" || code == "InvalidClientTokenId")
        return where + ": AWS does not recognise the access key in region " + region +
               ": the keys are wrong or expired, or the region is not enabled for the account (" + e.what() +
               ")";
    if (code == "AccessDeniedException" || code == "AccessDenied")
        return where + ": the AWS identity is not allowed to call ecr:GetAuthorizationToken in " + region +
               "; grant it that action, and pull/push on the repository (" + e.what() + ")";
    if ((code == "InvalidSignatureException" || code == "SignatureDoesNotMatch") &&
        std::string(e.what()).find("scoped to a valid region") != std::string::npos)
        return where + ": the endpoint " + endpoint + " does not serve region " + region +
               " (AWS_ENDPOINT_URL_ECR or AWS_ENDPOINT_URL names another region's endpoint?) (" + e.what() +
               ")";
    if (code == "InvalidSignatureException" || code == "SignatureDoesNotMatch")
        return where +
               ": AWS refused the request's signature: the secret access key does not belong to the "
               "access key id (" +
               e.what() + ")";
    if (e.status() == 0 && code.empty() && std::string(e.what()).find(": no answer (") != std::string::npos)
        return where + ": no answer from ECR's API at " + endpoint + "; is '" + region +
               "' a region ECR serves? (" + e.what() + ")";
    return where + ": " + e.what();
}

}  // namespace

std::optional<EcrRegistry> parse_ecr_host(const std::string& host_port) {
    std::string host = host_port.substr(0, host_port.find(':'));
    if (host_port.find(':') != std::string::npos &&
        !all_of_class(host_port.substr(host_port.find(':') + 1), digit))
        return std::nullopt;
    host = to_lower(host);
    std::string rest;
    if (ends_with(host, ".amazonaws.com"))
        rest = host.substr(0, host.size() - 14);
    else if (ends_with(host, ".amazonaws.com.cn"))
        rest = host.substr(0, host.size() - 17);
    else
        return std::nullopt;
    auto parts = split(rest, '.');
    if (parts.size() != 4 || parts[1] != "dkr" || (parts[2] != "ecr" && parts[2] != "ecr-fips"))
        return std::nullopt;
    if (parts[0].size() != 12 || !all_of_class(parts[0], digit) || !all_of_class(parts[3], region_char))
        return std::nullopt;
    return EcrRegistry{parts[0], parts[3]};
}

EcrToken read_authorization_token(const std::string& body) {
    const std::string what = "ecr GetAuthorizationToken: ";
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) throw Error("", what + "the answer is not a JSON object");
    auto data = j.find("authorizationData");
    if (data == j.end() || !data->is_array() || data->empty() || !(*data)[0].is_object())
        throw Error("", what + "the answer holds no authorizationData");
    const auto& d = (*data)[0];
    auto tok = d.find("authorizationToken");
    if (tok == d.end() || !tok->is_string())
        throw Error("", what + "the answer's authorizationData has no authorizationToken");
    auto exp = d.find("expiresAt");
    if (exp == d.end() || !exp->is_number())
        throw Error("", what + "the answer's authorizationData has no expiresAt");
    auto decoded = base64_decode(tok->get<std::string>());
    std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (!decoded || colon == std::string::npos || colon == 0 || colon + 1 == decoded->size())
        throw Error("", what + "the authorizationToken is not base64 of USER:PASSWORD");
    EcrToken t;
    t.username = decoded->substr(0, colon);
    t.password = Secret(decoded->substr(colon + 1));
    std::fill(decoded->begin(), decoded->end(), '\0');
    t.expires_at = static_cast<long long>(exp->get<double>());
    auto proxy = d.find("proxyEndpoint");
    if (proxy != d.end() && proxy->is_string()) t.proxy_endpoint = proxy->get<std::string>();
    return t;
}

EcrToken ecr_token(const std::string& registry, const EcrOptions& options) {
    auto r = parse_ecr_host(registry);
    if (!r)
        throw Error("", registry + " is not an ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com)");
    std::string endpoint = resolve_endpoint(kEcr, r->region, options.chain.env);
    auto now = options.now ? options.now() : static_cast<long long>(std::time(nullptr));
    std::string key = r->region + " " + endpoint;
    {
        std::lock_guard<std::mutex> lock(g_mutex);
        auto it = g_tokens.find(key);
        if (it != g_tokens.end() && it->second.expires_at - now > 15 * 60) return it->second;
    }
    auto provider = std::make_shared<CredentialProvider>(options.chain);
    try {
        provider->get();
    } catch (const Error& e) {
        throw Error(e.aws_code(),
                    "ECR registry " + registry + " (region " + r->region +
                        "): hoist asks ECR for a token with AWS credentials, and found none: " + e.what());
    }
    QueryClient ecr(
        kEcr, r->region, endpoint, [provider] { return provider->get(); }, options.query);
    EcrToken t;
    try {
        t = read_authorization_token(ecr.call_json(kEcrGetAuthorizationToken, "{}"));
    } catch (const Error& e) {
        throw Error(e.aws_code(), plain_words(e, registry, r->region, endpoint), e.status());
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    g_tokens[key] = t;
    return t;
}

void forget_ecr_tokens() {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_tokens.clear();
}

}  // namespace hoist::aws
