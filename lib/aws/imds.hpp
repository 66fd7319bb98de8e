#pragma once
/// The EC2 instance metadata service, version 2 only (session tokens): PUT /latest/api/token with
/// the TTL header, then GETs carrying the token. hoist reads the instance role's credentials.
#include <optional>
#include <string>

#include "aws/sigv4.hpp"
#include "aws/transport.hpp"

namespace hoist::aws {

struct ImdsOptions {
    /// AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254 (http://[fd00:ec2::254] when
    /// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6).
    std::string endpoint = "http://169.254.169.254";
    Transport transport = default_transport();
    long timeout_s = 2;  ///< per request: off EC2 there is nothing to wait for
};

/// The endpoint the environment selects.
std::string imds_endpoint(const Env& env);

/// The role credentials, or nullopt with `why` saying what the service answered (or that nothing
/// answered). Throws aws::Error when the service answers with something unreadable.
std::optional<Credentials> imds_credentials(const ImdsOptions& options, std::string& why);

/// "2026-12-01T23:59:59Z" -> Unix time; nullopt when malformed.
std::optional<long long> parse_iso8601(const std::string& text);

}  // namespace hoist::aws
