#pragma once
/// Amazon ECR without a credential helper: an image on `<account>.dkr.ecr.<region>.amazonaws.com`
/// is pushed and pulled with the password of an authorization token that hoist asks ECR for
/// (`GetAuthorizationToken`, JSON 1.1, signed as service `ecr` with the credential chain of
/// aws/credentials.hpp). The token is valid for 12 hours and for every registry of that region the
/// caller may use, so one token serves the push and every host's pull; it is kept in this process
/// until shortly before `expiresAt` and never written anywhere.
#include <functional>
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/query.hpp"
#include "util/secret.hpp"

namespace hoist::aws {

/// What an ECR registry host names.
struct EcrRegistry {
    std::string account, region;
};

/// `<12 digits>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` (a `:port` is accepted, for local test
/// registries); nullopt for any other host.
std::optional<EcrRegistry> parse_ecr_host(const std::string& host);

/// One authorization token, decoded.
struct EcrToken {
    std::string username;  ///< "AWS"
    Secret password;
    long long expires_at = 0;    ///< Unix seconds
    std::string proxy_endpoint;  ///< "https://<account>.dkr.ecr.<region>.amazonaws.com"
};

constexpr const char* kEcrGetAuthorizationToken =
    "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";

/// The token in a GetAuthorizationToken answer ({"authorizationData": [{"authorizationToken":
/// base64("AWS:<password>"), "expiresAt": <epoch seconds>, "proxyEndpoint"}]}). Throws aws::Error
/// naming what is missing or malformed; the token itself never appears in a message.
EcrToken read_authorization_token(const std::string& body);

struct EcrOptions {
    ChainOptions chain;
    QueryOptions query;
    std::function<long long()> now;  ///< Unix seconds; default time()
};

/// A token for `registry` (host as in the image reference): the one this process already holds
/// for its region while it has more than 15 minutes left, else a new one. Throws aws::Error whose
/// message names the registry and region and says in plain words what AWS's error means
/// (UnrecognizedClientException, AccessDeniedException, no credentials, no answer).
EcrToken ecr_token(const std::string& registry, const EcrOptions& options = {});

/// Forgets the tokens this process holds (tests).
void forget_ecr_tokens();

}  // namespace hoist::aws
