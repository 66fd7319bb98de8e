// One Query API call: sign, send, read, retry. Each attempt is signed afresh (new X-Amz-Date, and
// credentials that may have been refreshed), since a signature is only valid for 15 minutes and a
// throttled deploy can wait longer than that in total.
#include "aws/query.hpp"

#include <memory>

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>

#include "aws/error.hpp"
#include "http/retry.hpp"
#include "http/url.hpp"
#include "util/strings.hpp"
#include "util/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace hoist::aws {

const Service kElbv2{"elasticloadbalancing", "elasticloadbalancing", "ELASTIC_LOAD_BALANCING_V2",
                     "2015-12-01"};
const Service kEc2{"ec2", "ec2", "EC2", "2016-11-15"};
const Service kEcr{"ecr", "api.ecr", "ECR", ""};

std::string resolve_endpoint(const Service& s, const std::string& region, const Env& env) {
    if (to_lower(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("")) != "true") {
        for (const std::string& name : {"AWS_ENDPOINT_URL_" + s.env_suffix, std::string("AWS_ENDPOINT_URL")})
            if (auto v = env(name)) {
                if (!http::Url::parse(*v))
                    throw Error("", name + "='" + *v + "' is not an http:// or https:// URL");
                return *v;
            }
    }
    return "https://" + s.host_prefix + "." + region + ".amazonaws.com" +
           (starts_with(region, "cn-") ? ".cn" : "");
}

std::string form_body(const std::string& action, const std::string& version, const Params& params) {
    std::string out = "Action=" + uri_encode(action) + "&Version=" + uri_encode(version);
    for (const auto& [k, v] : params) out += "&" + uri_encode(k) + "=" + uri_encode(v);
    return out;
}

bool is_retryable_code(const std::string& code) {
    static const std::vector<std::string> codes = {"Throttling",
                                                   "ThrottlingException",
                                                   "ThrottledException",
                                                   "RequestThrottledException",
                                                   "TooManyRequestsException",
                                                   "RequestThrottled",
                                                   "RequestLimitExceeded",
                                                   "SlowDown",
                                                   "EC2ThrottledException",
                                                   "PriorRequestNotComplete",
                                                   "RequestTimeout",
                                                   "RequestTimeoutException",
                                                   "InternalError",
                                                   "InternalFailure",
                                                   "ServiceUnavailable",
                                                   "Unavailable"};
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

AwsErrorBody parse_error_body(const std::string& body) {
    AwsErrorBody e;
    try {
        XmlElement doc = parse_xml(body);
        // ELBv2: <ErrorResponse><Error>..</Error><RequestId/>; EC2:
        // <Response><Errors><Error>..</Error></Errors><RequestID/>
        const XmlElement* err = doc.name == "Error" ? &doc : doc.find("Error");
        if (!err) err = doc.find("Errors/Error");
        if (err) {
            e.code = err->text_at("Code");
            e.message = err->text_at("Message");
        }
        e.request_id = doc.text_at("RequestId");
        if (e.request_id.empty()) e.request_id = doc.text_at("RequestID");
    } catch (const XmlError&) {
    }
    return e;
}

std::string error_code_of_type(const std::string& type) {
    // "com.amazon.coral.service#UnrecognizedClientException", "AccessDeniedException:http://..."
    std::string t = type.substr(type.rfind('#') == std::string::npos ? 0 : type.rfind('#') + 1);
    return t.substr(0, t.find(':'));
}

AwsErrorBody parse_json_error_body(const std::string& body) {
    AwsErrorBody e;
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return e;
    auto str = [&](const char* k) { return text_at(j, k); };
    e.code = error_code_of_type(str("__type"));
    if (e.code.empty()) e.code = error_code_of_type(str("code"));
    e.message = str("message");
    if (e.message.empty()) e.message = str("Message");
    return e;
}

QueryClient::QueryClient(Service service, std::string region, std::string endpoint,
                         std::function<Credentials()> credentials, QueryOptions options)
    : m_service(std::move(service)),
      m_region(std::move(region)),
      m_endpoint(std::move(endpoint)),
      m_credentials(std::move(credentials)),
      m_options(std::move(options)) {
    if (!m_options.sleep)
        m_options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    if (!m_options.random) m_options.random = http::jitter_sample;
    if (!m_options.clock) m_options.clock = [] { return static_cast<long long>(std::time(nullptr)); };
    if (!m_options.transport) m_options.transport = default_transport();
}

XmlElement QueryClient::call(const std::string& action, const Params& params) {
    std::string body = post(action, "application/x-www-form-urlencoded; charset=utf-8", {},
                            form_body(action, m_service.version, params), parse_error_body);
    try {
        return parse_xml(body);
    } catch (const XmlError& e) {
        throw Error("", m_service.signing_name + " " + action + " at " + m_endpoint +
                            ": unreadable response: " + e.what());
    }
}

std::string QueryClient::call_json(const std::string& target, const std::string& body) {
    std::string op = target.substr(target.rfind('.') + 1);
    return post(op, "application/x-amz-json-1.1", {{"X-Amz-Target", target}}, body, parse_json_error_body);
}

std::string QueryClient::post(const std::string& operation, const std::string& content_type,
                              const std::vector<std::pair<std::string, std::string>>& extra_headers,
                              const std::string& body, AwsErrorBody (*error_of)(const std::string&)) {
    auto url = http::Url::parse(m_endpoint);
    if (!url) throw Error("", "bad " + m_service.signing_name + " endpoint URL '" + m_endpoint + "'");
    const std::string what = m_service.signing_name + " " + operation + " at " + m_endpoint;
    const RetryOptions& rp = m_options.retry;
    for (int attempt = 1;; ++attempt) {
        HttpRequest h;
        h.method = "POST";
        h.path = url->path.empty() ? "/" : url->path;
        h.headers = {{"Host", url->authority()}, {"Content-Type", content_type}};
        for (const auto& kv : extra_headers) h.headers.push_back(kv);
        h.body = body;
        SigningOptions so;
        so.region = m_region;
        so.service = m_service.signing_name;
        so.amz_date = amz_date(m_options.clock());
        sign(h, m_credentials(), so);

        http::Request req;
        req.method = "POST";
        req.url = url->scheme + "://" + url->authority() + h.path;
        for (const auto& [k, v] : h.headers) req.headers.push_back(k + ": " + v);
        req.body = body;
        req.timeout_s = m_options.timeout_s;
        http::Response resp = m_options.transport(std::move(req));

        std::string failure;
        std::string code;
        bool retry = false;
        if (resp.curl_code != 0) {
            failure = what + ": no answer (" + resp.curl_error + ")";
            retry = http::is_retryable({resp.curl_code, 0, ""});
        } else if (resp.status >= 200 && resp.status < 300) {
            return resp.body;
        } else {
            AwsErrorBody e = error_of(resp.body);
            if (e.code.empty())  // JSON protocols may name the error only in a header
                if (auto it = resp.headers.find("x-amzn-errortype"); it != resp.headers.end())
                    e.code = error_code_of_type(it->second);
            if (e.request_id.empty())
                if (auto it = resp.headers.find("x-amzn-requestid"); it != resp.headers.end())
                    e.request_id = it->second;
            code = e.code;
            std::string status = "HTTP " + std::to_string(resp.status);
            std::string rid = e.request_id.empty() ? "" : "request id " + e.request_id;
            if (e.code.empty())
                failure = what + ": " + status + (rid.empty() ? "" : " (" + rid + ")");
            else
                failure = what + ": " + e.code + (e.message.empty() ? "" : ": " + e.message) + " (" + status +
                          (rid.empty() ? "" : ", " + rid) + ")";
            retry =
                is_retryable_code(e.code) || resp.status == 429 || (resp.status >= 500 && resp.status != 501);
        }
        if (!retry || attempt >= rp.max_attempts) {
            if (retry) failure += "; gave up after " + std::to_string(attempt) + " attempts";
            throw Error(code, failure, resp.status);
        }
        // Full jitter: a uniform wait up to the capped exponential bound.
        double bound = std::min<double>(
            static_cast<double>(rp.cap.count()),
            static_cast<double>(rp.base.count()) * static_cast<double>(1 << std::min(attempt - 1, 16)));
        auto wait = std::chrono::milliseconds(
            static_cast<long long>(bound * std::clamp(m_options.random(), 0.0, 1.0)));
        if (m_options.log)
            m_options.log(failure + "; retrying in " + std::to_string(wait.count()) + " ms (attempt " +
                          std::to_string(attempt + 1) + " of " + std::to_string(rp.max_attempts) + ")");
        m_options.sleep(wait);
    }
}

QueryClient service_client(const Service& service, const std::string& region, const ChainOptions& chain,
                           QueryOptions options) {
    auto provider = std::make_shared<CredentialProvider>(chain);
    return QueryClient(
        service, region, resolve_endpoint(service, region, chain.env), [provider] { return provider->get(); },
        std::move(options));
}

}  // namespace hoist::aws
