#pragma once
/// Where the Docker Engine API is and how to speak to it, the way the docker CLI decides:
/// DOCKER_HOST (`unix:///path` or `tcp://host:port`, default the local socket), and for tcp://
/// the CLI's TLS settings: DOCKER_TLS_VERIFY non-empty means HTTPS, the daemon verified against
/// $DOCKER_CERT_PATH/ca.pem and hoist presenting cert.pem/key.pem (DOCKER_CERT_PATH defaults to
/// ~/.docker). Without it, tcp:// is plain HTTP, as with the CLI.
#include <string>

#include "http/http.hpp"

namespace hoist::registry {

struct EngineEndpoint {
    std::string host;         ///< as given or from DOCKER_HOST, for messages
    std::string base_url;     ///< "http://docker" (socket), "http://h:p" or "https://h:p"
    std::string unix_socket;  ///< for unix://
    std::string ca_file, cert_file, key_file;  ///< for TLS

    /// A request to `path_and_query` ("/build?...") on this endpoint.
    http::Request request(const std::string& method, const std::string& path_and_query) const;
};

/// Resolves `docker_host` (or DOCKER_HOST when empty). Throws a usage error for another scheme,
/// or when DOCKER_TLS_VERIFY asks for TLS and a certificate file is missing.
EngineEndpoint engine_endpoint(const std::string& docker_host = "");

}  // namespace hoist::registry
