#include "registry/engine_endpoint.hpp"

#include <cstdlib>
#include <filesystem>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hoist::registry {

namespace {
std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}
}  // namespace

http::Request EngineEndpoint::request(const std::string& method, const std::string& path_and_query) const {
    http::Request r;
    r.method = method;
    r.url = base_url + path_and_query;
    r.unix_socket = unix_socket;
    r.ca_file = ca_file;
    r.cert_file = cert_file;
    r.key_file = key_file;
    return r;
}

EngineEndpoint engine_endpoint(const std::string& docker_host) {
    EngineEndpoint e;
    e.host = !docker_host.empty() ? docker_host : !env("DOCKER_HOST").empty() ? env("DOCKER_HOST") : "unix:///var/run/docker.sock";
    if (starts_with(e.host, "unix://")) {
        e.unix_socket = e.host.substr(7);
        e.base_url = "http://docker";
        return e;
    }
    if (!starts_with(e.host, "tcp://"))
        throw usage_error("DOCKER_HOST '" + e.host + "': only unix:// and tcp:// are supported");
    std::string authority = e.host.substr(6);
    while (!authority.empty() && authority.back() == '/') authority.pop_back();
    if (env("DOCKER_TLS_VERIFY").empty()) {
        e.base_url = "http://" + authority;
        return e;
    }
    // The daemon holds root on its machine: with TLS asked for, never fall back to plain HTTP.
    std::string dir = env("DOCKER_CERT_PATH");
    if (dir.empty()) dir = env("HOME") + "/.docker";
    e.base_url = "https://" + authority;
    e.ca_file = dir + "/ca.pem";
    e.cert_file = dir + "/cert.pem";
    e.key_file = dir + "/key.pem";
    for (const auto& f : {e.ca_file, e.cert_file, e.key_file})
        if (!std::filesystem::exists(f))
            throw usage_error("DOCKER_TLS_VERIFY is set but " + f + " does not exist (set DOCKER_CERT_PATH to the "
                              "directory holding ca.pem, cert.pem and key.pem)");
    return e;
}

}  // namespace hoist::registry
