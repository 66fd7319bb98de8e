#pragma once
/// The AWS Query protocol (ELBv2, EC2, Auto Scaling): a signed form POST of Action, Version and
/// parameters to the service's regional endpoint; the answer is XML. The same client speaks the JSON
/// 1.1 protocol (ECR): a signed POST of a JSON document naming the operation in `X-Amz-Target`,
/// answered with JSON, errors as {"__type", "message"}. One `QueryClient` per service and region.
///
/// Endpoints are `https://<prefix>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China),
/// overridden by the standard variables AWS_ENDPOINT_URL_<SERVICE> (ELASTIC_LOAD_BALANCING_V2, EC2,
/// AUTO_SCALING, ECR)
/// and AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. http:// is accepted
/// there (local endpoints in tests). Throttling, 5xx and transport failures are retried with capped
/// exponential backoff and full jitter; every other AWS error is thrown with its code and message.
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/sigv4.hpp"
#include "aws/transport.hpp"
#include "aws/xml.hpp"

namespace hoist::aws {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Service {
    std::string signing_name;  ///< SigV4 service: "elasticloadbalancing"
    std::string host_prefix;   ///< endpoint host: "elasticloadbalancing"
    std::string env_suffix;    ///< AWS_ENDPOINT_URL_<suffix>
    std::string version;       ///< API version sent with every call
};
extern const Service kElbv2;  ///< elasticloadbalancing, 2015-12-01
extern const Service kEc2;    ///< ec2, 2016-11-15
extern const Service kEcr;    ///< ecr at api.ecr.<region> (JSON 1.1; no version)

/// The endpoint URL for `service` in `region`, honouring the override variables.
std::string resolve_endpoint(const Service& service, const std::string& region, const Env& env);

/// The form body: parameters percent-encoded as SigV4 encodes them (RFC 3986 unreserved kept).
std::string form_body(const std::string& action, const std::string& version, const Params& params);

/// True for AWS error codes that mean "slow down" or "try again".
bool is_retryable_code(const std::string& code);

struct RetryOptions {
    int max_attempts = 5;
    std::chrono::milliseconds base{200};
    std::chrono::milliseconds cap{5000};
};

struct QueryOptions {
    Transport transport = default_transport();
    std::function<void(std::chrono::milliseconds)> sleep;  ///< default: std::this_thread::sleep_for
    std::function<double()> random;                        ///< uniform [0,1); default: thread-local generator
    std::function<long long()> clock;                      ///< Unix seconds for X-Amz-Date; default: time()
    std::function<void(const std::string&)> log;           ///< retries are reported here
    RetryOptions retry;
    long timeout_s = 30;
};

/// AWS's error from a response body ({code, message, request id}); code empty when none is found.
struct AwsErrorBody {
    std::string code, message, request_id;
};
AwsErrorBody parse_error_body(const std::string& body);
/// The same from a JSON protocol's error body ({"__type": "...#Code", "message"|"Message"}).
AwsErrorBody parse_json_error_body(const std::string& body);
/// "com.amazon.coral.service#UnrecognizedClientException" or "Code:http://..." -> the bare code.
std::string error_code_of_type(const std::string& type);

class QueryClient {
public:
    /// `credentials` is called for every attempt (a CredentialProvider refreshes expiring keys).
    QueryClient(Service service, std::string region, std::string endpoint,
                std::function<Credentials()> credentials, QueryOptions options = {});

    /// Runs `action`; returns the response document. Throws aws::Error.
    XmlElement call(const std::string& action, const Params& params = {});
    /// JSON 1.1: POSTs `body` with `X-Amz-Target: target` ("Service_Version.Operation"); returns the
    /// 2xx answer's body. Throws aws::Error as `call` does.
    std::string call_json(const std::string& target, const std::string& body);

    const std::string& endpoint() const { return m_endpoint; }
    const std::string& region() const { return m_region; }
    const Service& service() const { return m_service; }

private:
    std::string post(const std::string& operation, const std::string& content_type,
                     const std::vector<std::pair<std::string, std::string>>& extra_headers, const std::string& body,
                     AwsErrorBody (*error_of)(const std::string&));
    Service m_service;
    std::string m_region;
    std::string m_endpoint;
    std::function<Credentials()> m_credentials;
    QueryOptions m_options;
};

/// A client for `service` in `region`: its endpoint (honouring the override variables of
/// `chain.env`), signed with the keys of the credential chain, refreshed as they expire. The one
/// way lib/ makes a client for a region it has resolved.
QueryClient service_client(const Service& service, const std::string& region, const ChainOptions& chain,
                           QueryOptions options = {});

}  // namespace hoist::aws
