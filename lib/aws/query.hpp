#pragma once
/// The AWS Query protocol (ELBv2, EC2): a signed form POST of Action, Version and parameters to
/// the service's regional endpoint; the answer is XML. One `QueryClient` per service and region.
///
/// Endpoints are `https://<prefix>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China),
/// overridden by the standard variables AWS_ENDPOINT_URL_<SERVICE> (ELASTIC_LOAD_BALANCING_V2, EC2)
/// and AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. http:// is accepted
/// there (local endpoints in tests). Throttling, 5xx and transport failures are retried with capped
/// exponential backoff and full jitter; every other AWS error is thrown with its code and message.
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

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

class QueryClient {
public:
    /// `credentials` is called for every attempt (a CredentialProvider refreshes expiring keys).
    QueryClient(Service service, std::string region, std::string endpoint,
                std::function<Credentials()> credentials, QueryOptions options = {});

    /// Runs `action`; returns the response document. Throws aws::Error.
    XmlElement call(const std::string& action, const Params& params = {});

    const std::string& endpoint() const { return m_endpoint; }
    const std::string& region() const { return m_region; }
    const Service& service() const { return m_service; }

private:
    Service m_service;
    std::string m_region;
    std::string m_endpoint;
    std::function<Credentials()> m_credentials;
    QueryOptions m_options;
};

/// AWS's error from a response body ({code, message, request id}); code empty when none is found.
struct AwsErrorBody {
    std::string code, message, request_id;
};
AwsErrorBody parse_error_body(const std::string& body);

}  // namespace hoist::aws
