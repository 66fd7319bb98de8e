// A real deploy to hosts whose sshd has no SFTP subsystem (removed from h2's and h3's sshd_config
// for the test; h1 keeps it): the secret_env file reaches every host through the exec-channel
// upload, with mode 0600 and exactly the value, the container gets it, and the value is in no
// command line on this machine (the hosts' processes included) while hoist runs.
#include <sys/stat.h>

#include <fstream>
#include <memory>

#include "../no_sftp.hpp"
#include "cmdlines.hpp"
#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

TEST_F(DeployTest, HostsWithoutSftpGetTheirSecretEnvFileThroughACommand) {
    const std::string fleet_dir = m_fleet["dir"].get<std::string>();
    const std::string fleet_name = m_fleet["name"].get<std::string>();
    std::vector<std::unique_ptr<itest::NoSftp>> no_sftp;
    for (int i : {1, 2}) {
        no_sftp.push_back(
            std::make_unique<itest::NoSftp>(fleet_dir, fleet_name, m_fleet["hosts"][i]["name"].get<std::string>()));
        ASSERT_TRUE(no_sftp.back()->ok()) << "host " << i + 1 << " still offers SFTP";
    }
    const std::string db = "db-secret-no-sftp-4b1d";
    std::string path = pipeline("");
    std::string text = read(path);
    text.replace(text.find("stop_timeout: 1s }"), 18, "stop_timeout: 1s, secret_env: [DB_PASSWORD] }");
    std::ofstream(path) << text;
    std::map<std::string, std::string> env{{"DB_PASSWORD", db}};

    CommandLines sampler;
    auto first = hoist({"-v", "deploy", "--tag", "v1"}, env);
    Load load(nginx_url(), "close", 2, 1, m_dir);
    auto second = hoist({"-v", "deploy", "--tag", "v2"}, env);
    auto l = load.stop();
    const auto& cmdlines = sampler.stop();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    ASSERT_EQ(second.exit_code, 0) << second.err;
    expect_no_failures(l, "deploy to hosts without SFTP");
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    for (int i : {0, 1}) EXPECT_GE(no_sftp[i]->refusals(), 1) << "host " << i + 2 << " was asked for SFTP and refused";

    EXPECT_GT(cmdlines.size(), 10u);
    for (const auto& c : containing(cmdlines, db, fleet_dir)) ADD_FAILURE() << "secret in a command line: " << c;
    EXPECT_EQ((first.out + first.err + second.out + second.err).find(db), std::string::npos) << "secret in the output";
    for (const auto& h : m_fleet["hosts"]) {
        for (const std::string tag : {"v1", "v2"}) {
            std::string file = h["home"].get<std::string>() + "/.hoist/app/app-" + tag + ".env";
            struct stat st {};
            ASSERT_EQ(stat(file.c_str(), &st), 0) << file;
            EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
            EXPECT_EQ(read(file), "DB_PASSWORD=" + db + "\n") << file;
        }
        auto ls = run_process({"ls", "-A", h["home"].get<std::string>() + "/.hoist/app"});
        EXPECT_EQ(ls.out.find(".hoist-"), std::string::npos) << "a temporary file left: " << ls.out;
        auto inside = run_process({"docker", "-H", h["docker_host"].get<std::string>(), "exec", "app-v2", "sh", "-c",
                                   "echo $DB_PASSWORD"});
        EXPECT_EQ(trim(inside.out), db) << h["name"];
    }
}

}  // namespace hoist::dtest
