#pragma once
/// Where registry credentials come from: the pipeline's `registry:` settings, else Docker's
/// config.json ($DOCKER_CONFIG/config.json, default ~/.docker/config.json), in Docker's order:
///   1. credHelpers[host]  -> `docker-credential-<helper> get` (host on stdin, JSON on stdout)
///   2. credsStore         -> the same protocol with the default helper
///   3. auths[host]        -> "auth" (base64 user:password), or username/password, or
///                            "identitytoken" (an OAuth2 refresh token for the token service)
/// A helper answering with Username "<token>" hands out an identity token, not a password.
/// A helper that fails or does not know the host falls through to the next source; a helper that
/// is not installed is reported (a silently anonymous push would fail later with a worse message).
#include <optional>
#include <string>

#include "util/secret.hpp"

namespace hoist::registry {

struct Credentials {
    std::string username;
    Secret password;
    Secret identity_token;  ///< refresh token for the OAuth2 token endpoint, when set
    std::string source;     ///< "pipeline", "credHelpers (docker-credential-x)", ..., "anonymous"

    bool anonymous() const { return username.empty() && identity_token.empty(); }
};

/// The directory holding config.json: $DOCKER_CONFIG, else ~/.docker.
std::string docker_config_dir();

/// Credentials for `registry` (host[:port] as in the image reference) from config.json in
/// `config_dir`. Anonymous when nothing matches. Throws hoist::Error (exit 5) when config.json is
/// malformed or a configured helper cannot be run.
Credentials credentials_from_docker_config(const std::string& registry, const std::string& config_dir);

/// The keys config.json may use for `registry`: "host", "https://host", "http://host",
/// "https://host/v1/", and for Docker Hub "https://index.docker.io/v1/".
bool auth_key_matches(const std::string& key, const std::string& registry);

/// Credentials from a credential helper's answer to `get` ({"Username", "Secret"}; Username
/// "<token>" means an identity token); nullopt when it holds none. Fields of another type than
/// string count as absent. Throws hoist::Error (exit 5) when the answer is not a JSON object.
std::optional<Credentials> parse_helper_answer(const std::string& out, const std::string& helper);
/// The credentials config.json text (at `path`, for messages) holds under "auths" for
/// `registry`, without running helpers; nullopt when none. Throws hoist::Error (exit 5) naming
/// `path` for JSON that is not an object or an `auth` that is not base64 of user:password.
std::optional<Credentials> credentials_from_auths(const std::string& config_text, const std::string& registry,
                                                  const std::string& path);

/// The config.json document that lets a host's runtime pull from `registry` with `c` (docker:
/// DOCKER_CONFIG, podman: --authfile): {"auths": {KEY: {"auth": base64(user:password)}}}, or
/// "identitytoken" (the runtime exchanges it at the token service) when `c` holds one. KEY is
/// the registry host, Docker Hub's legacy URL for Docker Hub. Empty for anonymous credentials.
Secret host_auth_document(const std::string& registry, const Credentials& c);

}  // namespace hoist::registry
