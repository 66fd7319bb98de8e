// Accessories (spec section 6) on the real fleet: `hoist accessory boot|reboot|remove|status|logs`
// against a host's dockerd; boot is idempotent, other settings are never applied behind a person's
// back, remove needs --yes and keeps the volume's host directory, and deploys never touch them.
#include <filesystem>
#include <fstream>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

class AccessoryTest : public DeployTest {
  protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        m_host = m_fleet["hosts"][2];
        docker("rm -f app-cache >/dev/null 2>&1; true");
        m_data = m_dir + "/cache-data";
    }
    void TearDown() override {
        docker("rm -f app-cache >/dev/null 2>&1; true");
        DeployTest::TearDown();
    }
    std::string write(const std::string& mode) {
        return pipeline("accessories:\n  cache:\n    image: " + m_fleet["images"]["base"].get<std::string>() +
                        "\n    host: " + m_host["address"].get<std::string>() +
                        "\n    port: \"127.0.0.1:6379:6379\"\n    volumes: [\"" + m_data + ":/data\"]\n"
                        "    env: { MODE: " + mode + " }\n    secret_env: [CACHE_PASSWORD]\n"
                        "    command: [\"/bin/busybox\", \"sh\", \"-c\", \"trap 'exit 0' TERM; echo booted $MODE; "
                        "echo kept > /data/marker; /bin/busybox httpd -f -p 6379 -h /data & wait\"]\n");
    }
    std::string docker(const std::string& args) const {
        return run_process({"sh", "-c", "docker -H " + m_host["docker_host"].get<std::string>() + " " + args}).out;
    }
    std::string id() const { return trim(docker("inspect --format '{{.Id}}' app-cache 2>/dev/null")); }
    nlohmann::json m_host;
    std::string m_data;
};

TEST_F(AccessoryTest, BootIsIdempotentRebootAppliesSettingsRemoveKeepsTheDataAndDeploysNeverTouchIt) {
    write("cache");
    std::map<std::string, std::string> env{{"CACHE_PASSWORD", "pw-98765"}};
    auto boot = hoist({"-o", "json", "accessory", "boot", "cache"}, env);
    ASSERT_EQ(boot.exit_code, 0) << boot.err;
    EXPECT_EQ(boot.summary()["accessories"][0]["result"], "started") << boot.out;
    std::string first = id();
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(trim(docker("inspect --format '{{index .Config.Labels \"hoist.accessory\"}} {{index .Config.Labels \"hoist.service\"}}' app-cache")),
              "cache") << "labelled as an accessory, never as the service";
    auto envs = docker("inspect --format '{{json .Config.Env}}' app-cache");
    EXPECT_NE(envs.find("CACHE_PASSWORD=pw-98765"), std::string::npos) << envs;
    EXPECT_EQ(boot.out.find("pw-98765"), std::string::npos);
    EXPECT_EQ(boot.err.find("pw-98765"), std::string::npos);
    // the env file is gone from the host
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(m_host["home"].get<std::string>() + "/.hoist/app", ec))
        EXPECT_EQ(e.path().filename().string().find("cache"), std::string::npos) << e.path();

    auto again = hoist({"-o", "json", "accessory", "boot", "all"}, env);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.summary()["accessories"][0]["result"], "running");
    EXPECT_EQ(id(), first) << "nothing replaced";

    // deploys never touch it
    ASSERT_EQ(hoist({"deploy", "--tag", "v1"}).exit_code, 0);
    ASSERT_EQ(hoist({"deploy", "--tag", "v2"}).exit_code, 0);
    EXPECT_EQ(id(), first);

    // other settings: reported (exit 1), not applied; reboot applies them
    write("other");
    auto changed = hoist({"-o", "json", "accessory", "boot", "cache"}, env);
    EXPECT_EQ(changed.exit_code, 1);
    EXPECT_NE(changed.err.find("hoist accessory reboot cache"), std::string::npos) << changed.err;
    EXPECT_EQ(id(), first);
    auto status = hoist({"-o", "json", "accessory", "status", "cache"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    EXPECT_EQ(status.summary()["accessories"][0]["result"], "running");
    EXPECT_NE(status.summary()["accessories"][0]["detail"].get<std::string>().find("differ"), std::string::npos);
    auto reboot = hoist({"accessory", "reboot", "cache"}, env);
    ASSERT_EQ(reboot.exit_code, 0) << reboot.err;
    EXPECT_NE(id(), first);
    EXPECT_NE(docker("inspect --format '{{json .Config.Env}}' app-cache").find("MODE=other"), std::string::npos);
    auto logs = hoist({"accessory", "logs", "cache"});
    ASSERT_EQ(logs.exit_code, 0) << logs.err;
    EXPECT_NE(logs.out.find("booted other"), std::string::npos) << logs.out;

    // remove: only with --yes, and the volume's host directory stays
    EXPECT_EQ(hoist({"accessory", "remove", "cache"}).exit_code, 2);
    EXPECT_FALSE(id().empty());
    auto removed = hoist({"accessory", "remove", "cache", "--yes"});
    ASSERT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_TRUE(id().empty());
    std::string pid = trim(read(m_host["docker_pid_file"].get<std::string>()));
    EXPECT_EQ(trim(read("/proc/" + pid + "/root" + m_data + "/marker")), "kept") << "the data directory is kept";
    EXPECT_EQ(hoist({"accessory", "status", "nope"}).exit_code, 2);
}

}  // namespace hoist::dtest
