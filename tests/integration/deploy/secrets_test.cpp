// Secrets on the real fleet: a registry password (the fleet's Basic-auth registry) and secret_env
// values go through a plan and a deploy with every report, and appear in no output line, plan,
// JSON event, JUnit or JSON report, command line seen in /proc while hoist runs (hosts' processes
// included: the fleet shares this machine's PID namespace), or file on the hosts other than the
// 0600 env file. docker's own credential store on the host is empty again after the pull.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "cmdlines.hpp"
#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace fs = std::filesystem;

TEST_F(DeployTest, SecretsReachNoOutputReportCommandLineOrFileButTheEnvFile) {
    const std::string password = m_fleet["registry"]["basic"]["password"].get<std::string>();
    const std::string user = m_fleet["registry"]["basic"]["username"].get<std::string>();
    const std::string db = "db-secret-7f3a9c-value";
    std::string path = pipeline("");
    std::string text = read(path);
    // the Basic-auth flavour of the fleet's registry (same storage, so app:v1 is there)
    std::string open = m_fleet["registry"]["open"]["host"].get<std::string>();
    std::string basic = m_fleet["registry"]["basic"]["host"].get<std::string>();
    text.replace(text.find(open), open.size(), basic);
    text.replace(text.find("registry: { insecure: true }"), 28,
                 "registry: { insecure: true, username: " + user + ", password: \"${REG_PASSWORD}\" }");
    text.replace(text.find("stop_timeout: 1s }"), 18, "stop_timeout: 1s, secret_env: [DB_PASSWORD] }");
    std::ofstream(path) << text;
    std::map<std::string, std::string> env{{"REG_PASSWORD", password}, {"DB_PASSWORD", db}};

    CommandLines sampler;
    auto plan = hoist({"plan", "--tag", "v1"}, env);
    auto plan_json = hoist({"-o", "json", "plan", "--tag", "v1"}, env);
    auto r = hoist({"-o", "json", "-v", "--report", "junit=" + m_dir + "/junit.xml", "--report",
                    "json=" + m_dir + "/report.json", "deploy", "--tag", "v1"},
                   env);
    auto human = hoist({"-v", "deploy", "--tag", "v1"}, env);  // unchanged hosts; output checked too
    const auto& cmdlines = sampler.stop();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("DB_PASSWORD=***"), std::string::npos) << plan.out;

    std::vector<std::pair<std::string, std::string>> texts{
        {"plan", plan.out + plan.err},  {"plan -o json", plan_json.out + plan_json.err},
        {"deploy -o json -v", r.out + r.err}, {"deploy -v", human.out + human.err},
        {"junit report", read(m_dir + "/junit.xml")}, {"json report", read(m_dir + "/report.json")}};
    for (const auto& [what, t] : texts) {
        EXPECT_FALSE(t.empty()) << what;
        EXPECT_EQ(t.find(password), std::string::npos) << "registry password in " << what;
        EXPECT_EQ(t.find(db), std::string::npos) << "secret_env value in " << what;
    }
    EXPECT_GT(cmdlines.size(), 10u);
    std::string mine = m_fleet["dir"].get<std::string>();
    // other engineers' fleets on a shared machine are not this test's business
    for (const auto& c : containing(cmdlines, password, mine)) ADD_FAILURE() << "password in a command line: " << c;
    for (const auto& c : containing(cmdlines, db, mine)) ADD_FAILURE() << "secret in a command line: " << c;
    // on every host: the value only in the 0600 env file; the password nowhere (docker logged out)
    for (const auto& h : m_fleet["hosts"]) {
        std::string home = h["home"].get<std::string>();
        std::string env_file = home + "/.hoist/app/app-v1.env";
        ASSERT_TRUE(fs::exists(env_file)) << env_file;
        struct stat st {};
        ASSERT_EQ(stat(env_file.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u) << env_file;
        EXPECT_EQ(read(env_file), "DB_PASSWORD=" + db + "\n");
        for (const auto& f : fs::recursive_directory_iterator(home)) {
            if (!f.is_regular_file() || f.file_size() > (1 << 20)) continue;
            std::string content = read(f.path());
            EXPECT_EQ(content.find(password), std::string::npos) << "registry password in " << f.path();
            if (f.path() != env_file) {
                EXPECT_EQ(content.find(db), std::string::npos) << "secret in " << f.path();
            }
        }
    }
    // the container got it
    auto inside = run_process({"docker", "-H", m_fleet["hosts"][0]["docker_host"].get<std::string>(), "exec", "app-v1",
                               "sh", "-c", "echo $DB_PASSWORD"});
    EXPECT_EQ(trim(inside.out), db);
}

}  // namespace hoist::dtest
