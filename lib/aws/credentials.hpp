#pragma once
/// Where hoist finds AWS credentials and the region, in the order the AWS CLI and SDKs use:
///  1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
///  2. the shared files of profile AWS_PROFILE (default "default"): AWS_SHARED_CREDENTIALS_FILE
///     (~/.aws/credentials), then AWS_CONFIG_FILE (~/.aws/config, `[profile NAME]` sections);
///  3. the EC2 instance metadata service (IMDSv2), unless AWS_EC2_METADATA_DISABLED=true;
///     AWS_EC2_METADATA_SERVICE_ENDPOINT overrides its address.
/// Region: the pipeline's value, else AWS_REGION, AWS_DEFAULT_REGION, else the profile's `region`.
/// Profiles that only name another way to get keys (role_arn, credential_process, sso_*) are
/// reported as unsupported instead of being skipped silently. Secrets stay `Secret`s throughout.
#include <mutex>
#include <string>

#include "aws/sigv4.hpp"
#include "aws/transport.hpp"

namespace hoist::aws {

struct ChainOptions {
    Env env = process_env();
    Transport transport = default_transport();  ///< for the instance metadata service
    long imds_timeout_s = 2;
};

/// Walks the chain. Throws aws::Error naming every place it looked and what it found there.
Credentials resolve_credentials(const ChainOptions& options);

/// The region to use; throws aws::Error naming where it looked when there is none.
std::string resolve_region(const std::string& configured, const ChainOptions& options);

/// Credentials resolved once and kept, then resolved again when they are within five minutes of
/// expiring (instance role keys rotate every few hours) or after `invalidate()`. Thread-safe.
class CredentialProvider {
public:
    explicit CredentialProvider(ChainOptions options = {}) : m_options(std::move(options)) {}
    Credentials get();
    void invalidate();

private:
    ChainOptions m_options;
    std::mutex m_mutex;
    bool m_have = false;
    Credentials m_cached;
};

}  // namespace hoist::aws
