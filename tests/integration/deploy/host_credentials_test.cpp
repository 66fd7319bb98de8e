// Hosts pull with the credentials the push uses, wherever they come from: here only from the
// runner's Docker config (DOCKER_CONFIG): `auths` for the fleet's Basic-auth registry, a credential
// helper and an identity token for its token-auth registry. The pipeline has no username/password.
// After each deploy no credential is left on any host: its own ~/.docker/config.json is exactly as
// it was (an unrelated login in it kept, none added), no file under its home, /dev/shm or /tmp holds
// them, and they were in no output, plan, JSON event or command line.
#include <filesystem>
#include <fstream>

#include "cmdlines.hpp"
#include "deploy_fixture.hpp"
#include "util/base64.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace fs = std::filesystem;

namespace {

const std::string host_config = R"({"auths":{"other.example:5000":{"auth":"b3RoZXI6b3RoZXItc2VjcmV0"}}})";

class HostCredentialsTest : public DeployTest {
protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        fs::create_directories(m_dir + "/docker");
        fs::create_directories(m_dir + "/bin");
        // each host has a login of its own that hoist must leave alone
        for (const auto& h : m_fleet["hosts"]) {
            std::string dir = h["home"].get<std::string>() + "/.docker";
            fs::create_directories(dir);
            std::ofstream(dir + "/config.json") << host_config;
        }
    }
    void TearDown() override {
        for (const auto& h : m_fleet["hosts"]) fs::remove_all(h["home"].get<std::string>() + "/.docker");
        DeployTest::TearDown();
    }
    /// The pipeline on the fleet's `kind` registry (basic | token: same storage, so app:v1 is
    /// there), with no credentials in it; the hosts' copies of its images removed.
    void use_registry(const std::string& kind) {
        m_registry = m_fleet["registry"][kind]["host"].get<std::string>();
        m_user = m_fleet["registry"][kind]["username"].get<std::string>();
        m_password = m_fleet["registry"][kind]["password"].get<std::string>();
        std::string path = pipeline("");
        std::string text = read(path);
        std::string open = m_fleet["registry"]["open"]["host"].get<std::string>();
        text.replace(text.find(open), open.size(), m_registry);
        std::ofstream(path) << text;
        std::string repo = m_image.substr(m_image.find('/'));
        for (const auto& h : m_fleet["hosts"])
            run_process({"docker", "-H", h["docker_host"].get<std::string>(), "rmi", "-f", m_registry + repo + ":v1",
                         m_registry + repo + ":v2"});
    }
    void docker_config(const std::string& json) { std::ofstream(m_dir + "/docker/config.json") << json; }
    std::map<std::string, std::string> env() const {
        const char* path = std::getenv("PATH");
        return {{"DOCKER_CONFIG", m_dir + "/docker"}, {"PATH", m_dir + "/bin:" + std::string(path ? path : "")}};
    }
    /// Runs plan and deploy (JSON, verbose) while sampling command lines; checks that `secrets`
    /// appear in none of them nor in the outputs, and that nothing holding them is left on a host.
    HoistRun deploy(const std::string& tag, const std::vector<std::string>& secrets) {
        CommandLines sampler;
        auto plan = hoist({"plan", "--tag", tag}, env());
        auto r = hoist({"-o", "json", "-v", "deploy", "--tag", tag}, env());
        const auto& cmdlines = sampler.stop();
        EXPECT_EQ(plan.exit_code, 0) << plan.err;
        m_plan = plan.out;
        std::string mine = m_fleet["dir"].get<std::string>();
        for (const auto& s : secrets) {
            EXPECT_EQ((plan.out + plan.err).find(s), std::string::npos) << "a credential in the plan";
            EXPECT_EQ((r.out + r.err).find(s), std::string::npos) << "a credential in the deploy's output";
            for (const auto& c : containing(cmdlines, s, mine)) ADD_FAILURE() << "a credential in a command line: " << c;
        }
        expect_nothing_left(secrets);
        return r;
    }
    void expect_nothing_left(const std::vector<std::string>& secrets) {
        for (const auto& h : m_fleet["hosts"]) {
            std::string home = h["home"].get<std::string>();
            EXPECT_EQ(read(home + "/.docker/config.json"), host_config) << "the host's own docker config changed";
            for (const auto& f : fs::recursive_directory_iterator(home)) {
                if (!f.is_regular_file() || f.file_size() > (1 << 20)) continue;
                std::string content = read(f.path());
                for (const auto& s : secrets) EXPECT_EQ(content.find(s), std::string::npos) << "a credential in " << f.path();
            }
        }
        // the private directories of the pulls (this fleet's: the registry address is its own)
        for (const char* base : {"/dev/shm", "/tmp"})
            for (const auto& d : fs::directory_iterator(base)) {
                if (d.path().filename().string().rfind("hoist-pull.", 0) != 0) continue;
                std::string doc = read(d.path().string() + "/config.json");
                EXPECT_EQ(doc.find(m_registry), std::string::npos) << d.path() << " left behind";
            }
    }
    std::string m_registry, m_user, m_password, m_plan;
};

}  // namespace

TEST_F(HostCredentialsTest, BasicAuthFromConfigJsonAuths) {
    use_registry("basic");
    // without credentials the hosts cannot pull: the pre-flight stops the deploy, nothing changed
    docker_config("{}");
    auto denied = hoist({"deploy", "--tag", "v1"}, env());
    EXPECT_EQ(denied.exit_code, 1) << denied.err;
    EXPECT_NE(denied.err.find("nothing was changed"), std::string::npos) << denied.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "") << h << " changed by a deploy that could not pull";

    std::string auth = hoist::base64_encode(m_user + ":" + m_password);
    docker_config(R"({"auths":{"http://)" + m_registry + R"(":{"auth":")" + auth + R"("}}})");
    auto r = deploy("v1", {m_password, auth});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_NE(m_plan.find("pull the new image with the credentials of " + m_dir + "/docker/config.json auths[\"http://" +
                          m_registry + "\"] (user " + m_user + "), given on stdin to this pull only"),
              std::string::npos)
        << m_plan;
}

TEST_F(HostCredentialsTest, TokenAuthFromConfigJsonAuths) {
    use_registry("token");
    std::string auth = hoist::base64_encode(m_user + ":" + m_password);
    docker_config(R"({"auths":{")" + m_registry + R"(":{"auth":")" + auth + R"("}}})");
    auto r = deploy("v1", {m_password, auth});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    auto r2 = deploy("v2", {m_password, auth});
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
}

TEST_F(HostCredentialsTest, BasicAuthFromACredentialHelper) {
    use_registry("basic");
    std::string helper = m_dir + "/bin/docker-credential-fleet";
    std::ofstream(helper) << "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\n"
                          << "[ \"$server\" = " << m_registry << " ] || { echo 'credentials not found'; exit 1; }\n"
                          << "cat " << m_dir << "/helper-answer\n";
    fs::permissions(helper, fs::perms(0755));
    std::ofstream(m_dir + "/helper-answer")
        << R"({"ServerURL":")" << m_registry << R"(","Username":")" << m_user << R"(","Secret":")" << m_password << "\"}";
    docker_config(R"({"credHelpers":{")" + m_registry + R"(":"fleet"}})");
    auto r = deploy("v1", {m_password, hoist::base64_encode(m_user + ":" + m_password)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_NE(m_plan.find("with the credentials of credHelpers (docker-credential-fleet) (user " + m_user + ")"),
              std::string::npos)
        << m_plan;
}

TEST_F(HostCredentialsTest, TokenAuthWithAnIdentityToken) {
    use_registry("token");
    // a refresh token from the fleet's issuer, as `docker login` keeps for an OAuth registry
    const auto& tok = m_fleet["registry"]["token"];
    std::ofstream(m_dir + "/form") << "grant_type=password&access_type=offline&client_id=test&username=" << m_user
                                   << "&password=" << m_password << "&service=" << tok["service"].get<std::string>();
    auto got = run_process({"curl", "-sS", "--max-time", "10", "--data-binary", "@" + m_dir + "/form",
                            tok["issuer_url"].get<std::string>()});
    auto answer = nlohmann::json::parse(got.out, nullptr, false);
    ASSERT_TRUE(answer.is_object() && answer.contains("refresh_token")) << got.out << got.err;
    std::string refresh = answer["refresh_token"].get<std::string>();
    docker_config(R"({"auths":{")" + m_registry + R"(":{"identitytoken":")" + refresh + R"("}}})");
    auto r = deploy("v1", {refresh, m_password});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_NE(m_plan.find("(an identity token), given on stdin"), std::string::npos) << m_plan;
}

}  // namespace hoist::dtest
