// DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY set means TLS with client certificates to the docker
// CLI; hoist used plain HTTP to the same daemon (root on its machine) regardless.
#include "registry/engine_endpoint.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "util/error.hpp"

using namespace hoist::registry;

namespace {
/// Sets environment variables for one test and restores them after.
struct Env {
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    void set(const std::string& k, const std::string& v) {
        const char* old = std::getenv(k.c_str());
        saved.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
        ::setenv(k.c_str(), v.c_str(), 1);
    }
    ~Env() {
        for (auto it = saved.rbegin(); it != saved.rend(); ++it)
            it->second ? ::setenv(it->first.c_str(), it->second->c_str(), 1) : ::unsetenv(it->first.c_str());
    }
};
}  // namespace

TEST(EngineEndpoint, TcpFollowsDockerTlsVerify) {
    char tmpl[] = "/tmp/hoist-engine-test-XXXXXX";
    std::string certs = ::mkdtemp(tmpl);
    for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) std::ofstream(certs + "/" + f) << "x";
    Env env;
    env.set("DOCKER_TLS_VERIFY", "1");
    env.set("DOCKER_CERT_PATH", certs);
    auto e = engine_endpoint("tcp://10.0.0.5:2376");
    EXPECT_EQ(e.base_url, "https://10.0.0.5:2376");
    auto r = e.request("GET", "/images/x/get");
    EXPECT_EQ(r.url, "https://10.0.0.5:2376/images/x/get");
    EXPECT_EQ(r.ca_file, certs + "/ca.pem");
    EXPECT_EQ(r.cert_file, certs + "/cert.pem");
    EXPECT_EQ(r.key_file, certs + "/key.pem");
    std::filesystem::remove(certs + "/key.pem");
    EXPECT_THROW(engine_endpoint("tcp://10.0.0.5:2376"), hoist::Error);  // never a silent fallback to HTTP
    std::filesystem::remove_all(certs);
}

TEST(EngineEndpoint, PlainTcpAndUnixSockets) {
    Env env;
    env.set("DOCKER_TLS_VERIFY", "");
    env.set("DOCKER_HOST", "unix:///run/user/1000/docker.sock");
    auto u = engine_endpoint();
    EXPECT_EQ(u.unix_socket, "/run/user/1000/docker.sock");
    EXPECT_EQ(u.request("POST", "/build?t=x").url, "http://docker/build?t=x");
    EXPECT_EQ(engine_endpoint("tcp://h:2375").base_url, "http://h:2375");
    EXPECT_THROW(engine_endpoint("ssh://h"), hoist::Error);
}
