// The credential chain end to end: keys found in the environment, in a profile file and from the
// local IMDSv2 endpoint are used to sign real requests that the local endpoint verifies.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "aws/error.hpp"
#include "aws/imds.hpp"
#include "aws_fixture.hpp"

namespace hoist::aws::itest {
namespace {

namespace fs = std::filesystem;

nlohmann::json seed() {
    auto s = base_seed();
    s["credentials"].push_back(
        {{"access_key_id", "AKIAPROFILEKEY000001"}, {"secret_access_key", "profile-secret"}});
    s["imds"] = {{"role", "hoist-deployer"},
                 {"credentials",
                  {{"access_key_id", "ASIAROLEKEY000000001"},
                   {"secret_access_key", "role-secret"},
                   {"session_token", "role-session-token/abc+def=="}}}};
    s["target_groups"] = {{{"arn", arn("targetgroup", "cred/1")}, {"port", 18090}}};
    return s;
}

ChainOptions chain(std::map<std::string, std::string> vars) {
    ChainOptions o;
    o.env = [vars](const std::string& n) -> std::optional<std::string> {
        auto it = vars.find(n);
        if (it == vars.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
    return o;
}

/// One signed call with the chain's credentials; "" when accepted, else the error.
std::string call_with(const std::string& endpoint, const ChainOptions& o) {
    auto provider = std::make_shared<CredentialProvider>(o);
    QueryClient c(kElbv2, kRegion, endpoint, [provider] { return provider->get(); });
    try {
        c.call("DescribeTargetGroups");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

class Credentials_ : public AwsFleetTest {
protected:
    void SetUp() override {
        AwsFleetTest::SetUp();
        home = fs::temp_directory_path() / ("hoist-aws-home-" + std::to_string(::getpid()));
        fs::create_directories(home / ".aws");
    }
    void TearDown() override { fs::remove_all(home); }
    fs::path home;
};

TEST_F(Credentials_, FromTheEnvironment) {
    FakeAws fake("cred", seed(), true, false);
    auto o = chain({{"HOME", home.string()},
                    {"AWS_ACCESS_KEY_ID", kKeyId},
                    {"AWS_SECRET_ACCESS_KEY", kSecret},
                    {"AWS_EC2_METADATA_DISABLED", "true"}});
    EXPECT_EQ(resolve_credentials(o).source, "the environment (AWS_ACCESS_KEY_ID)");
    EXPECT_EQ(call_with(fake.endpoint(), o), "");
    auto bad =
        chain({{"HOME", home.string()}, {"AWS_ACCESS_KEY_ID", kKeyId}, {"AWS_SECRET_ACCESS_KEY", "wrong"}});
    EXPECT_NE(call_with(fake.endpoint(), bad).find("SignatureDoesNotMatch"), std::string::npos);
}

TEST_F(Credentials_, FromANamedProfile) {
    FakeAws fake("cred", seed(), true, false);
    std::ofstream(home / ".aws/credentials")
        << "[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = x\n"
           "[deploy]\naws_access_key_id = AKIAPROFILEKEY000001\n"
           "aws_secret_access_key = profile-secret\n";
    std::ofstream(home / ".aws/config") << "[profile deploy]\nregion = eu-west-1\n";
    auto o =
        chain({{"HOME", home.string()}, {"AWS_PROFILE", "deploy"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
    EXPECT_EQ(resolve_credentials(o).access_key_id, "AKIAPROFILEKEY000001");
    EXPECT_EQ(resolve_region("", o), "eu-west-1");
    EXPECT_EQ(call_with(fake.endpoint(), o), "");
    auto dflt = chain({{"HOME", home.string()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
    EXPECT_NE(call_with(fake.endpoint(), dflt).find("InvalidClientTokenId"), std::string::npos);
}

TEST_F(Credentials_, FromInstanceMetadataV2) {
    FakeAws fake("cred", seed(), true, false);
    auto o = chain({{"HOME", home.string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.imds()}});
    Credentials c = resolve_credentials(o);
    EXPECT_EQ(c.access_key_id, "ASIAROLEKEY000000001");
    EXPECT_EQ(c.session_token.reveal(), "role-session-token/abc+def==");
    EXPECT_EQ(c.source, "instance metadata (IMDSv2) at " + fake.imds() + ", role hoist-deployer");
    EXPECT_GT(c.expires_epoch_s, std::time(nullptr));
    EXPECT_EQ(call_with(fake.endpoint(), o), "");  // the session token is signed and checked

    // IMDSv2 only: a GET without a session token is refused.
    http::Request r;
    r.url = fake.imds() + "/latest/meta-data/iam/security-credentials/";
    EXPECT_EQ(http::perform(r).status, 401);
    r.headers = {"X-aws-ec2-metadata-token: made-up"};
    EXPECT_EQ(http::perform(r).status, 401);
    http::Request no_ttl;
    no_ttl.method = "PUT";
    no_ttl.url = fake.imds() + "/latest/api/token";
    EXPECT_EQ(http::perform(no_ttl).status, 400);
    // Nothing secret reached the endpoint's log.
    std::string log = fake.log();
    EXPECT_EQ(log.find("role-secret"), std::string::npos);
    EXPECT_EQ(log.find("role-session-token"), std::string::npos);
    EXPECT_NE(log.find("imds GET /latest/meta-data/iam/security-credentials/hoist-deployer -> 200"),
              std::string::npos);
}

TEST_F(Credentials_, ChainOrderEnvironmentBeatsProfileBeatsMetadata) {
    FakeAws fake("cred", seed(), true, false);
    std::ofstream(home / ".aws/credentials") << "[default]\naws_access_key_id = AKIAPROFILEKEY000001\n"
                                                "aws_secret_access_key = profile-secret\n";
    auto all = chain({{"HOME", home.string()},
                      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.imds()},
                      {"AWS_ACCESS_KEY_ID", kKeyId},
                      {"AWS_SECRET_ACCESS_KEY", kSecret}});
    EXPECT_EQ(resolve_credentials(all).access_key_id, kKeyId);
    auto no_env = chain({{"HOME", home.string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.imds()}});
    EXPECT_EQ(resolve_credentials(no_env).access_key_id, "AKIAPROFILEKEY000001");
    fs::remove(home / ".aws/credentials");
    EXPECT_EQ(resolve_credentials(no_env).access_key_id, "ASIAROLEKEY000000001");
}

TEST_F(Credentials_, NoMetadataServiceSaysWhereItLooked) {
    auto o = chain(
        {{"HOME", home.string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://" + f().bridge + ":9"}});
    try {
        resolve_credentials(o);
        FAIL();
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("no AWS credentials found; hoist looked in the environment"), std::string::npos)
            << m;
        EXPECT_NE(m.find("no instance metadata service answered at http://" + f().bridge + ":9"),
                  std::string::npos)
            << m;
    }
}

}  // namespace
}  // namespace hoist::aws::itest
