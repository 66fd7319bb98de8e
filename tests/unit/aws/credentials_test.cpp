// The credential chain and region lookup, with the environment, the files and the metadata
// service all injected (a temporary HOME, a fake transport): no test depends on the machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "aws/credentials.hpp"
#include "aws/error.hpp"
#include "aws/imds.hpp"
#include "aws/profile_files.hpp"

namespace hoist::aws {
namespace {

namespace fs = std::filesystem;

class Chain : public ::testing::Test {
protected:
    void SetUp() override {
        home = fs::temp_directory_path() / ("hoist-aws-cred-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(home / ".aws");
        vars["HOME"] = home.string();
        vars["AWS_EC2_METADATA_DISABLED"] = "true";
    }
    void TearDown() override { fs::remove_all(home); }
    void write(const std::string& rel, const std::string& text) { std::ofstream(home / rel) << text; }
    ChainOptions options() {
        ChainOptions o;
        auto v = vars;
        o.env = [v](const std::string& n) -> std::optional<std::string> {
            auto it = v.find(n);
            if (it == v.end() || it->second.empty()) return std::nullopt;
            return it->second;
        };
        o.transport = [this](http::Request r) { return imds(r); };
        return o;
    }
    std::string error_of() {
        try {
            resolve_credentials(options());
        } catch (const Error& e) {
            return e.what();
        }
        return "(no error)";
    }
    /// A metadata service: token required, role "deployer".
    http::Response imds(const http::Request& r) {
        requests.push_back(r.method + " " + r.url);
        http::Response out;
        if (!imds_up) {
            out.curl_code = 7;
            out.curl_error = "Failed to connect";
            return out;
        }
        bool has_token = false;
        for (const auto& h : r.headers) has_token = has_token || h == "X-aws-ec2-metadata-token: tok-1";
        if (r.method == "PUT" && r.url == "http://md.test/latest/api/token") {
            out.status = 200;
            out.body = "tok-1";
        } else if (!has_token) {
            out.status = 401;
        } else if (r.url == "http://md.test/latest/meta-data/iam/security-credentials/") {
            out.status = 200;
            out.body = "deployer\n";
        } else if (r.url == "http://md.test/latest/meta-data/iam/security-credentials/deployer") {
            out.status = 200;
            out.body =
                R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAROLE","SecretAccessKey":"rs",)"
                R"("Token":"rt","Expiration":"2026-12-01T18:00:00Z"})";
        } else {
            out.status = 404;
        }
        return out;
    }
    fs::path home;
    std::map<std::string, std::string> vars;
    std::vector<std::string> requests;
    bool imds_up = true;
};

TEST_F(Chain, EnvironmentFirst) {
    vars["AWS_ACCESS_KEY_ID"] = "AKIAENV";
    vars["AWS_SECRET_ACCESS_KEY"] = "envsecret";
    vars["AWS_SESSION_TOKEN"] = "envtoken";
    write(".aws/credentials",
          "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n");
    auto c = resolve_credentials(options());
    EXPECT_EQ(c.access_key_id, "AKIAENV");
    EXPECT_EQ(c.secret_access_key.reveal(), "envsecret");
    EXPECT_EQ(c.session_token.reveal(), "envtoken");
    EXPECT_EQ(c.source, "the environment (AWS_ACCESS_KEY_ID)");
}

TEST_F(Chain, HalfAnEnvironmentKeyIsAnError) {
    vars["AWS_ACCESS_KEY_ID"] = "AKIAENV";
    EXPECT_EQ(error_of(), "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
}

TEST_F(Chain, DefaultProfileFromCredentialsFile) {
    write(".aws/credentials",
          "# keys\n[other]\naws_access_key_id=AKIAOTHER\naws_secret_access_key=o\n"
          "[default]\r\nAWS_Access_Key_Id = AKIAFILE\r\naws_secret_access_key = filesecret\r\n");
    auto c = resolve_credentials(options());
    EXPECT_EQ(c.access_key_id, "AKIAFILE");
    EXPECT_EQ(c.secret_access_key.reveal(), "filesecret");
    EXPECT_TRUE(c.session_token.empty());
    EXPECT_EQ(c.source, "profile 'default' in " + (home / ".aws/credentials").string());
}

TEST_F(Chain, NamedProfileFromConfigFileAndOverriddenPaths) {
    vars["AWS_PROFILE"] = "deploy";
    vars["AWS_SHARED_CREDENTIALS_FILE"] = (home / "creds").string();
    vars["AWS_CONFIG_FILE"] = (home / "conf").string();
    write("creds", "[default]\naws_access_key_id=AKIADEF\naws_secret_access_key=d\n");
    write("conf",
          "[deploy]\naws_access_key_id=AKIAWRONG\naws_secret_access_key=w\n"  // not a profile in config
          "[profile deploy]\nregion = eu-west-3\ns3 =\n  max_concurrent_requests = 2\n"
          "aws_access_key_id = AKIACONF\naws_secret_access_key = c\naws_session_token = t\n");
    auto c = resolve_credentials(options());
    EXPECT_EQ(c.access_key_id, "AKIACONF");
    EXPECT_EQ(c.session_token.reveal(), "t");
    EXPECT_EQ(resolve_region("", options()), "eu-west-3");
}

TEST_F(Chain, MissingNamedProfileIsAnError) {
    vars["AWS_PROFILE"] = "nope";
    write(".aws/credentials", "[default]\naws_access_key_id=AKIADEF\naws_secret_access_key=d\n");
    EXPECT_EQ(error_of(), "AWS profile 'nope' (AWS_PROFILE) is not in " +
                              (home / ".aws/credentials").string() + " or " +
                              (home / ".aws/config").string());
}

TEST_F(Chain, UnsupportedProfileKindsAreNamed) {
    write(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n");
    EXPECT_NE(error_of().find("profile 'default' in " + (home / ".aws/config").string() +
                              " gets its keys through 'role_arn', which hoist does not support"),
              std::string::npos);
}

TEST_F(Chain, InstanceMetadataWithTokens) {
    vars.erase("AWS_EC2_METADATA_DISABLED");
    vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://md.test/";
    write(".aws/config", "[default]\nregion = us-east-2\n");  // a profile without keys falls through
    auto c = resolve_credentials(options());
    EXPECT_EQ(c.access_key_id, "ASIAROLE");
    EXPECT_EQ(c.secret_access_key.reveal(), "rs");
    EXPECT_EQ(c.session_token.reveal(), "rt");
    EXPECT_EQ(c.expires_epoch_s, 1796148000);
    EXPECT_EQ(c.source, "instance metadata (IMDSv2) at http://md.test, role deployer");
    EXPECT_EQ(requests, (std::vector<std::string>{
                            "PUT http://md.test/latest/api/token",
                            "GET http://md.test/latest/meta-data/iam/security-credentials/",
                            "GET http://md.test/latest/meta-data/iam/security-credentials/deployer"}));
}

TEST_F(Chain, NothingFoundSaysWhereItLooked) {
    vars.erase("AWS_EC2_METADATA_DISABLED");
    vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://md.test";
    imds_up = false;
    write(".aws/config", "[default]\nregion = us-east-2\n");
    std::string h = home.string();
    EXPECT_EQ(error_of(),
              "no AWS credentials found; hoist looked in the environment (AWS_ACCESS_KEY_ID and "
              "AWS_SECRET_ACCESS_KEY not set); " +
                  h +
                  "/.aws/credentials (no such file); profile 'default' "
                  "in " +
                  h +
                  "/.aws/config has no keys; the instance metadata service (no instance metadata "
                  "service answered at http://md.test (Failed to connect) to PUT /latest/api/token)");
}

TEST_F(Chain, MetadataDisabled) {
    EXPECT_NE(error_of().find("the instance metadata service (AWS_EC2_METADATA_DISABLED=true)"),
              std::string::npos);
    EXPECT_TRUE(requests.empty());
}

TEST_F(Chain, RegionOrder) {
    write(".aws/config", "[default]\nregion = from-profile\n");
    EXPECT_EQ(resolve_region("from-pipeline", options()), "from-pipeline");
    EXPECT_EQ(resolve_region("", options()), "from-profile");
    vars["AWS_DEFAULT_REGION"] = "from-default";
    EXPECT_EQ(resolve_region("", options()), "from-default");
    vars["AWS_REGION"] = "from-region";
    EXPECT_EQ(resolve_region("", options()), "from-region");
}

TEST_F(Chain, NoRegion) {
    try {
        resolve_region("", options());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "no AWS region: set 'region' in the pipeline, AWS_REGION or "
                  "AWS_DEFAULT_REGION, or 'region' in profile 'default' of " +
                      (home / ".aws/config").string());
    }
}

TEST(ImdsEndpoint, FromEnvironment) {
    auto env = [](std::map<std::string, std::string> m) {
        return [m](const std::string& n) -> std::optional<std::string> {
            auto it = m.find(n);
            return it == m.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
    };
    EXPECT_EQ(imds_endpoint(env({})), "http://169.254.169.254");
    EXPECT_EQ(imds_endpoint(env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}})),
              "http://[fd00:ec2::254]");
    EXPECT_EQ(imds_endpoint(env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.0.0.1:1234/"}})),
              "http://10.0.0.1:1234");
    EXPECT_EQ(parse_iso8601("2026-12-01T18:00:00Z"), 1796148000);
    EXPECT_EQ(parse_iso8601("2026-12-01T18:00:00.123Z"), 1796148000);
    EXPECT_EQ(parse_iso8601("tomorrow"), std::nullopt);
}

TEST(ProfileFile, Sections) {
    auto f = parse_profile_file(
        "[default]\na=1\n; c\n[profile x]\nb = 2 # not a comment\n[sso-session s]\nc=3\n", true);
    EXPECT_EQ(f.size(), 2u);
    EXPECT_EQ(f["default"]["a"], "1");
    EXPECT_EQ(f["x"]["b"], "2 # not a comment");
    auto g = parse_profile_file("[profile x]\na=1\n[x]\nb=2\n", false);
    EXPECT_EQ(g["profile x"]["a"], "1");
    EXPECT_EQ(g["x"]["b"], "2");
}

}  // namespace
}  // namespace hoist::aws
