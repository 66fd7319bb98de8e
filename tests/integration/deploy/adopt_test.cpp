// The first deploy onto hosts where the old deploy script's container runs: `docker run -d --name web
// -p 8080:8080` with no hoist label, holding the service's host port. Without --adopt the deploy
// says so and stops before changing anything (exit 1). With --adopt that container is the previous
// version: drained, renamed app-adopted, stopped and kept, with no failed request under load;
// `hoist rollback` starts it again; a later deploy keeps it as the previous version and the one
// after that removes it.
#include <algorithm>
#include <fstream>
#include <thread>

#include "deploy_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::dtest {

namespace {

class AdoptTest : public DeployTest {
protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        clean();
    }
    void TearDown() override {
        clean();
        DeployTest::TearDown();
    }
    void clean() {
        for (const auto& h : m_fleet["hosts"]) docker(h, {"rm", "-f", "web", "app-adopted"});
    }
    ProcessResult docker(const nlohmann::json& host, std::vector<std::string> args) const {
        args.insert(args.begin(), {"docker", "-H", host["docker_host"].get<std::string>()});
        return run_process(args);
    }
    /// "name state" of every container on the host, sorted.
    std::string containers(const nlohmann::json& host) const {
        auto r = docker(host, {"ps", "--all", "--format", "{{.Names}} {{.State}}"});
        auto lines = split(trim(r.out), '\n');
        std::sort(lines.begin(), lines.end());
        return join(lines, ", ");
    }
};

}  // namespace

TEST_F(AdoptTest, TheOldScriptsContainerIsRefusedThenTakenOverRolledBackToAndRemoved) {
    std::string path = pipeline("");
    for (const auto& h : m_fleet["hosts"]) {
        auto r = docker(h, {"run", "-d", "--name", "web", "-p", "8080:8080", m_image + ":v1"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    // wait for the old containers to answer (the LB routes to host:8080 already)
    for (int i = 0; i < 50; ++i) {
        bool all = true;
        for (const auto& [h, v] : served()) all = all && v == "v1";
        if (all) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (const auto& [h, v] : served()) ASSERT_EQ(v, "v1") << h;
    std::map<std::string, std::string> before;
    for (const auto& h : m_fleet["hosts"]) before[h["address"]] = containers(h);

    // 1. `hoist plan --observe` shows it; without --adopt the deploy says so too, exit 1, nothing changed
    auto plan = hoist({"plan", "--observe", "--tag", "v2"});
    EXPECT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("Blocked: " + m_hosts[0] + ": container web (image " + m_image + ":v1), not started by hoist"),
              std::string::npos)
        << plan.out;
    EXPECT_NE(plan.out.find("run `hoist deploy --adopt`"), std::string::npos) << plan.out;
    auto adopting = hoist({"plan", "--observe", "--adopt", "--tag", "v2"});
    EXPECT_EQ(adopting.exit_code, 0) << adopting.err;
    EXPECT_EQ(adopting.out.find("Blocked:"), std::string::npos) << adopting.out;
    EXPECT_NE(adopting.out.find("take over web: rename it app-adopted and stop it"), std::string::npos) << adopting.out;
    auto refused = hoist({"-o", "json", "deploy", "--tag", "v2"});
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_NE(refused.err.find(m_hosts[0] + ": container web (image " + m_image +
                               ":v1), not started by hoist, publishes port 8080, which app's new container needs"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("run `hoist deploy --adopt`"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("nothing was changed"), std::string::npos) << refused.err;
    bool plan_event = false;
    for (const auto& line : split(refused.out, '\n')) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == "plan") {
            plan_event = true;
            EXPECT_EQ(j["blockers"].size(), 3u) << line;
        }
    }
    EXPECT_TRUE(plan_event) << refused.out;
    for (const auto& h : m_fleet["hosts"]) EXPECT_EQ(containers(h), before[h["address"]]) << "changed without --adopt";
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_EQ(pool().size(), 3u);

    // 2. --adopt under load: drained, stopped, kept; no failed request
    {
        Load load(nginx_url(), "close", 2, 1, m_dir);
        auto r = hoist({"deploy", "--adopt", "--tag", "v2"});
        auto l = load.stop();
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.err.find(m_hosts[0] + ": takes over web (not started by hoist; --adopt) as the previous version"),
                  std::string::npos)
            << r.err;
        expect_no_failures(l, "adopting the old script's containers");
    }
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    for (const auto& h : m_fleet["hosts"]) EXPECT_EQ(containers(h), "app-adopted exited, app-v2 running");

    // 3. rollback: the taken-over container serves again
    auto rb = hoist({"rollback"});
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    for (const auto& h : m_fleet["hosts"]) EXPECT_EQ(containers(h), "app-adopted running, app-v2 exited");

    // 4. a deploy from it keeps it as the previous version; the next one removes it
    auto d3 = hoist({"deploy", "--tag", "v1"});
    ASSERT_EQ(d3.exit_code, 0) << d3.err;
    for (const auto& h : m_fleet["hosts"]) EXPECT_EQ(containers(h), "app-adopted exited, app-v1 running");
    auto d4 = hoist({"deploy", "--tag", "v2"});
    ASSERT_EQ(d4.exit_code, 0) << d4.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v2") << h;
    for (const auto& h : m_fleet["hosts"]) EXPECT_EQ(containers(h), "app-v1 exited, app-v2 running");
}

TEST_F(AdoptTest, AFailedAdoptingDeployStartsTheOldContainerAgain) {
    // the new version (the fleet's `unhealthy` image) never turns healthy: the automatic rollback
    // starts the taken-over container again
    pipeline("");
    for (const auto& h : m_fleet["hosts"])
        ASSERT_EQ(docker(h, {"run", "-d", "--name", "web", "-p", "8080:8080", m_image + ":v1"}).exit_code, 0);
    for (int i = 0; i < 50 && served().begin()->second != "v1"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto r = hoist({"deploy", "--adopt", "--tag", "unhealthy"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_EQ(containers(m_fleet["hosts"][0]), "app-adopted running");
}

}  // namespace hoist::dtest
