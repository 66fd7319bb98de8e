// hoist push against a real docker-registry with Basic (htpasswd) and token auth (the fleet's
// token issuer): credentials from the pipeline, from config.json auths and from a credential
// helper; a wrong password exits 5 with the registry's own message and never prints the secret.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "fixture.hpp"
#include "util/base64.hpp"
#include "util/process.hpp"

using namespace hoist;
using namespace hoist::itest;

namespace {
/// A project dir with a hoist.yml for `image` whose registry password comes from $REG_PASSWORD.
std::string write_pipeline(const TempDir& dir, const std::string& image, bool with_credentials) {
    std::ofstream f(dir.path + "/hoist.yml");
    f << "service: web\nimage: " << image << "\ntag: v1\nregistry:\n";
    if (with_credentials) f << "  username: alice\n  password: ${REG_PASSWORD}\n";
    f << "  insecure: true\nhosts: [10.0.0.1]\n";
    return dir.path;
}

void expect_no_secret(const HoistRun& r, const std::string& secret) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret on stdout";
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret on stderr";
}

void push_with_pipeline_credentials(Auth auth) {
    LocalRegistry reg(auth);
    TempDir cache, project, empty_config;
    std::string dir = write_pipeline(project, reg.host() + "/acme/web", true);
    std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path}, {"REG_PASSWORD", LocalRegistry::password},
                                           {"DOCKER_CONFIG", empty_config.path}};
    auto r = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + test_archive(0.01)}, env, dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/web:v1", std::string(LocalRegistry::user) + ":" + LocalRegistry::password),
              r.event("pushed")["digest"]);
    expect_no_secret(r, LocalRegistry::password);
    // A second repository: blobs mount (a token needs pull on the source repository for that).
    auto r2 = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + test_archive(0.01), "--to",
                         reg.host() + "/acme/mirror:v1"},
                        env, dir);
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    for (auto& e : r2.events())
        if (e.value("event", "") == "blob") {
            EXPECT_EQ(e["action"], "mounted") << e.dump();
        }
}

void wrong_password_exits_5(Auth auth, const std::string& expected_message) {
    LocalRegistry reg(auth);
    TempDir cache, project, empty_config;
    std::string dir = write_pipeline(project, reg.host() + "/acme/web", true);
    std::string bad = "not-the-password-7f3a";
    auto r = run_hoist({"-o", "json", "push", "--from", "docker-archive:" + test_archive(0.01)},
                       {{"XDG_CACHE_HOME", cache.path}, {"REG_PASSWORD", bad}, {"DOCKER_CONFIG", empty_config.path}}, dir);
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(r.err.find(expected_message), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("401"), std::string::npos) << r.err;
    auto summary = r.events().back();
    EXPECT_EQ(summary["event"], "summary");
    EXPECT_EQ(summary["exit_code"], 5);
    expect_no_secret(r, bad);
}

/// DOCKER_CONFIG with config.json `body`, and a credential helper script in `bin`.
struct DockerConfig {
    TempDir dir;
    std::string bin() const { return dir.path + "/bin"; }
    explicit DockerConfig(const std::string& body) {
        std::ofstream(dir.path + "/config.json") << body;
        mkdir(bin().c_str(), 0755);
        std::string helper = bin() + "/docker-credential-hoistit";
        std::ofstream(helper) << "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\necho \"$server\" >> " << dir.path
                              << "/asked\necho '{\"ServerURL\":\"'$server'\",\"Username\":\"" << LocalRegistry::user
                              << "\",\"Secret\":\"" << LocalRegistry::password << "\"}'\n";
        chmod(helper.c_str(), 0755);
    }
};

void push_with_docker_config(Auth auth, bool helper) {
    LocalRegistry reg(auth);
    TempDir cache;
    std::string body = helper ? R"({"credHelpers":{")" + reg.host() + R"(":"hoistit"}})"
                              : R"({"auths":{"http://)" + reg.host() + R"(":{"auth":")" +
                                    hoist::base64_encode(std::string(LocalRegistry::user) + ":" + LocalRegistry::password) +
                                    R"("}}})";
    DockerConfig cfg(body);
    std::string path = cfg.bin() + ":" + std::getenv("PATH");
    auto r = run_hoist({"-o", "json", "push", "--insecure", "--from", "docker-archive:" + test_archive(0.01), "--to",
                        reg.host() + "/acme/web:cfg"},
                       {{"XDG_CACHE_HOME", cache.path}, {"DOCKER_CONFIG", cfg.dir.path}, {"PATH", path}},
                       cfg.dir.path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/web:cfg", std::string(LocalRegistry::user) + ":" + LocalRegistry::password),
              r.event("pushed")["digest"]);
    if (helper) {
        std::ifstream asked(cfg.dir.path + "/asked");
        std::string first;
        std::getline(asked, first);
        EXPECT_EQ(first, reg.host());
    }
    expect_no_secret(r, LocalRegistry::password);
}
}  // namespace

TEST(PushBasicAuth, PipelineCredentials) { push_with_pipeline_credentials(Auth::basic); }
TEST(PushBasicAuth, WrongPasswordExits5WithTheRegistrysMessage) {
    wrong_password_exits_5(Auth::basic, "UNAUTHORIZED: authentication required");
}
TEST(PushBasicAuth, ConfigJsonAuths) { push_with_docker_config(Auth::basic, false); }
TEST(PushBasicAuth, CredentialHelper) { push_with_docker_config(Auth::basic, true); }
TEST(PushBasicAuth, AnonymousIsRefusedWithExit5) {
    LocalRegistry reg(Auth::basic);
    TempDir cache, empty_config;
    auto r = run_hoist({"push", "--insecure", "--from", "docker-archive:" + test_archive(0.01), "--to", reg.host() + "/acme/web:x"},
                       {{"XDG_CACHE_HOME", cache.path}, {"DOCKER_CONFIG", empty_config.path}}, cache.path);
    EXPECT_EQ(r.exit_code, 5);
    EXPECT_NE(r.err.find("UNAUTHORIZED"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("anonymous"), std::string::npos) << r.err;
}

TEST(PushTokenAuth, PipelineCredentials) { push_with_pipeline_credentials(Auth::token); }
TEST(PushTokenAuth, WrongPasswordExits5WithTheTokenServicesMessage) {
    wrong_password_exits_5(Auth::token, "UNAUTHORIZED: authentication required");
}
TEST(PushTokenAuth, ConfigJsonAuths) { push_with_docker_config(Auth::token, false); }
TEST(PushTokenAuth, CredentialHelper) { push_with_docker_config(Auth::token, true); }

TEST(PushTokenAuth, IdentityTokenFromConfigJsonIsUsedAsARefreshToken) {
    LocalRegistry reg(Auth::token);
    // What `docker login` stores for OAuth registries: a refresh token, no password.
    auto got = run_process({"curl", "-sf", "-u", std::string(LocalRegistry::user) + ":" + LocalRegistry::password,
                            reg.issuer_url() + "?service=hoist-itest-registry&offline_token=true&scope=repository:acme/web:pull"});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    std::string refresh = nlohmann::json::parse(got.out).value("refresh_token", "");
    ASSERT_FALSE(refresh.empty()) << got.out;
    TempDir cache;
    DockerConfig cfg(R"({"auths":{")" + reg.host() + R"(":{"auth":"","identitytoken":")" + refresh + R"("}}})");
    auto r = run_hoist({"-o", "json", "push", "--insecure", "--from", "docker-archive:" + test_archive(0.01), "--to",
                        reg.host() + "/acme/web:idt"},
                       {{"XDG_CACHE_HOME", cache.path}, {"DOCKER_CONFIG", cfg.dir.path}}, cfg.dir.path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(skopeo_digest(reg.host() + "/acme/web:idt", std::string(LocalRegistry::user) + ":" + LocalRegistry::password),
              r.event("pushed")["digest"]);
    expect_no_secret(r, refresh);
    // A refresh token the issuer never gave out: exit 5 with the token service's answer.
    DockerConfig bad(R"({"auths":{")" + reg.host() + R"(":{"identitytoken":"forged-token"}}})");
    auto denied = run_hoist({"push", "--insecure", "--from", "docker-archive:" + test_archive(0.01), "--to",
                             reg.host() + "/acme/web:idt2"},
                            {{"XDG_CACHE_HOME", cache.path}, {"DOCKER_CONFIG", bad.dir.path}}, bad.dir.path);
    EXPECT_EQ(denied.exit_code, 5);
    EXPECT_NE(denied.err.find("invalid_grant"), std::string::npos) << denied.err;
    expect_no_secret(denied, "forged-token");
}
