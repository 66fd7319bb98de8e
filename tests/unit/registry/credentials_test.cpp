#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "util/base64.hpp"
#include "registry/credentials.hpp"
#include "registry/token_response.hpp"
#include "util/error.hpp"

using namespace hoist::registry;
using hoist::base64_decode;
using hoist::base64_encode;
namespace fs = std::filesystem;

namespace {
/// A config dir plus a bin dir with a test credential helper on PATH.
class DockerConfigTest : public ::testing::Test {
protected:
    std::string dir, old_path;
    void SetUp() override {
        char tmpl[] = "/tmp/hoist-cred-test-XXXXXX";
        dir = mkdtemp(tmpl);
        fs::create_directories(dir + "/bin");
        // The helper answers for two servers and logs what it was asked, like docker-credential-pass.
        write_exec(dir + "/bin/docker-credential-hoisttest", R"(#!/bin/sh
[ "$1" = get ] || exit 3
read server
echo "$server" >> ")" + dir + R"(/asked"
case "$server" in
  helper.example:5000) echo '{"ServerURL":"helper.example:5000","Username":"helper-user","Secret":"helper-pass"}';;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"refresh-123"}';;
  *) echo "credentials not found in native keychain"; exit 1;;
esac
)");
        const char* p = std::getenv("PATH");
        old_path = p ? p : "";
        setenv("PATH", (dir + "/bin:" + old_path).c_str(), 1);
    }
    void TearDown() override {
        setenv("PATH", old_path.c_str(), 1);
        fs::remove_all(dir);
    }
    static void write_exec(const std::string& path, const std::string& text) {
        std::ofstream(path) << text;
        chmod(path.c_str(), 0755);
    }
    void config(const std::string& json) { std::ofstream(dir + "/config.json") << json; }
};
}  // namespace

TEST_F(DockerConfigTest, NoConfigMeansAnonymous) {
    auto c = credentials_from_docker_config("reg.example", dir);
    EXPECT_TRUE(c.anonymous());
    EXPECT_EQ(c.source, "anonymous");
}

TEST_F(DockerConfigTest, AuthsBase64AndUrlKeys) {
    config(R"({"auths":{"https://reg.example:5001/v1/":{"auth":")" + base64_encode("alice:s3cr:et") + R"("},
                        "other.example":{"username":"bob","password":"pw"}}})");
    auto c = credentials_from_docker_config("reg.example:5001", dir);
    EXPECT_EQ(c.username, "alice");
    EXPECT_EQ(c.password.reveal(), "s3cr:et");
    auto d = credentials_from_docker_config("other.example", dir);
    EXPECT_EQ(d.username, "bob");
    EXPECT_EQ(d.password.reveal(), "pw");
    EXPECT_TRUE(credentials_from_docker_config("reg.example", dir).anonymous());  // port matters
}

TEST_F(DockerConfigTest, AuthsIdentityToken) {
    config(R"({"auths":{"reg.example":{"auth":"","identitytoken":"idt-1"}}})");
    auto c = credentials_from_docker_config("reg.example", dir);
    EXPECT_FALSE(c.anonymous());
    EXPECT_EQ(c.identity_token.reveal(), "idt-1");
}

TEST_F(DockerConfigTest, CredHelpersWinOverAuths) {
    config(R"({"credHelpers":{"helper.example:5000":"hoisttest"},
              "auths":{"helper.example:5000":{"auth":")" + base64_encode("wrong:wrong") + R"("}}})");
    auto c = credentials_from_docker_config("helper.example:5000", dir);
    EXPECT_EQ(c.username, "helper-user");
    EXPECT_EQ(c.password.reveal(), "helper-pass");
    EXPECT_NE(c.source.find("credHelpers"), std::string::npos);
}

TEST_F(DockerConfigTest, CredsStoreTokenCaseAndFallThroughToAuths) {
    config(R"({"credsStore":"hoisttest","auths":{"plain.example":{"auth":")" + base64_encode("p:q") + R"("}}})");
    auto t = credentials_from_docker_config("token.example", dir);
    EXPECT_TRUE(t.username.empty());
    EXPECT_EQ(t.identity_token.reveal(), "refresh-123");
    auto p = credentials_from_docker_config("plain.example", dir);  // helper says "not found"
    EXPECT_EQ(p.username, "p");
}

TEST_F(DockerConfigTest, MissingHelperIsAnErrorThatNamesIt) {
    config(R"({"credHelpers":{"reg.example":"does-not-exist"}})");
    try {
        credentials_from_docker_config("reg.example", dir);
        FAIL();
    } catch (const hoist::Error& e) {
        EXPECT_NE(std::string(e.what()).find("docker-credential-does-not-exist"), std::string::npos) << e.what();
        EXPECT_EQ(e.code(), hoist::ExitCode::build_push);
    }
}

TEST_F(DockerConfigTest, MalformedConfigIsAnError) {
    config("{not json");
    EXPECT_THROW(credentials_from_docker_config("reg.example", dir), hoist::Error);
}

TEST(Base64, RoundTripAndRejects) {
    for (std::string s : {"", "a", "ab", "abc", "abcd", "user:p@ss"}) EXPECT_EQ(base64_decode(base64_encode(s)), s);
    EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
    EXPECT_FALSE(base64_decode("a"));
    EXPECT_FALSE(base64_decode("ab*c"));
}

TEST(AuthKey, Matching) {
    EXPECT_TRUE(auth_key_matches("https://index.docker.io/v1/", "docker.io"));
    EXPECT_TRUE(auth_key_matches("http://reg:5000", "reg:5000"));
    EXPECT_FALSE(auth_key_matches("reg:5000", "reg"));
}

// A field of another type than string made json::value() throw past every handler.
TEST(Credentials, IllTypedFieldsAreAbsentNotExceptions) {
    EXPECT_EQ(parse_helper_answer(R"({"Username": 5, "Secret": ["x"]})", "x"), std::nullopt);
    auto c = parse_helper_answer(R"({"Username": "<token>", "Secret": "t"})", "x");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->identity_token.reveal(), "t");
    EXPECT_THROW(parse_helper_answer("[1]", "x"), hoist::Error);
    EXPECT_EQ(credentials_from_auths(R"({"auths": {"reg.example": {"auth": 7, "username": {}, "identitytoken": 1}}})",
                                     "reg.example", "config.json"),
              std::nullopt);
}

TEST(TokenResponse, IllTypedOrHugeFieldsAreHandled) {
    EXPECT_EQ(parse_token_response(R"({"token": 5})"), std::nullopt);
    EXPECT_EQ(parse_token_response(R"({"token": "", "access_token": "a"})")->token, "a");
    EXPECT_EQ(parse_token_response(R"({"token": "t", "expires_in": 1e300})")->expires_in, 86400);
    EXPECT_EQ(parse_token_response(R"({"token": "t", "expires_in": -5})")->expires_in, 60);
    EXPECT_EQ(parse_token_response(R"({"token": "t", "expires_in": "300"})")->expires_in, 60);
    EXPECT_EQ(parse_token_response("not json"), std::nullopt);
}

TEST(HostAuthDocument, BasicIdentityTokenDockerHubAndAnonymous) {
    Credentials basic;
    basic.username = "u";
    basic.password = hoist::Secret("p:w");
    EXPECT_EQ(host_auth_document("reg.example:5000", basic).reveal(),
              R"({"auths":{"reg.example:5000":{"auth":")" + base64_encode("u:p:w") + R"("}}})");
    // read back the way hoist (and docker) read config.json
    auto back = credentials_from_auths(host_auth_document("reg.example:5000", basic).reveal(), "reg.example:5000", "doc");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->username, "u");
    EXPECT_EQ(back->password.reveal(), "p:w");

    Credentials token;
    token.identity_token = hoist::Secret("refresh-123");
    EXPECT_EQ(host_auth_document("token.example", token).reveal(),
              R"({"auths":{"token.example":{"identitytoken":"refresh-123"}}})");
    token.username = "alice";
    auto t = credentials_from_auths(host_auth_document("token.example", token).reveal(), "token.example", "doc");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->identity_token.reveal(), "refresh-123");
    EXPECT_EQ(t->username, "alice");

    EXPECT_EQ(host_auth_document("docker.io", basic).reveal(),
              R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + base64_encode("u:p:w") + R"("}}})");
    EXPECT_TRUE(host_auth_document("reg.example", Credentials{}).empty());
}
