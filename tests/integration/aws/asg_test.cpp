// Auto Scaling hosts against the local endpoint and the fleet: the hosts are the group's InService
// instances (the fleet's docker hosts, as EC2 instances of the fake), a deploy suspends Launch,
// Terminate, AZRebalance and ReplaceUnhealthy around the rollout and resumes them at the end (also
// when it fails, and on Ctrl-C), never touching a process a person had suspended; and a deploy
// killed with SIGKILL leaves a record that the next hoist command acts on, saying so.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../deploy/deploy_fixture.hpp"
#include "aws/asg.hpp"
#include "aws_fixture.hpp"
#include "deploy/asg_suspension.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::aws::itest {
namespace {

namespace fs = std::filesystem;

class AsgTest : public dtest::DeployTest {
  protected:
    void SetUp() override {
        DeployTest::SetUp();
        if (HasFatalFailure()) return;
        nlohmann::json seed = base_seed();
        nlohmann::json instances = nlohmann::json::array(), members = nlohmann::json::array();
        int n = 0;
        for (const auto& h : m_hosts) {
            std::string id = "i-0a5g00000000000" + std::to_string(++n);
            instances.push_back(
                {{"id", id}, {"state", "running"}, {"private_ip", h}, {"tags", {{"role", "web"}}}});
            members.push_back({{"id", id}, {"lifecycle_state", "InService"}});
        }
        // launching and leaving instances are not hosts
        instances.push_back(
            {{"id", "i-0a5g0000000000p"}, {"state", "pending"}, {"private_ip", "10.210.60.98"}});
        instances.push_back(
            {{"id", "i-0a5g0000000000t"}, {"state", "shutting-down"}, {"private_ip", "10.210.60.99"}});
        members.push_back({{"id", "i-0a5g0000000000p"}, {"lifecycle_state", "Pending"}});
        members.push_back({{"id", "i-0a5g0000000000t"}, {"lifecycle_state", "Terminating"}});
        seed["instances"] = instances;
        seed["auto_scaling_groups"] = {
            {{"name", "web-asg"}, {"instances", members}, {"suspended", {"AZRebalance"}}},
            {{"name", "other-asg"}, {"instances", nlohmann::json::array()}}};
        seed["credentials"].push_back(
            {{"access_key_id", "AKIAHOISTNOSUSPEND01"}, {"secret_access_key", kSecret}});
        seed["denied_actions"] = {{"AKIAHOISTNOSUSPEND01", {"SuspendProcesses"}}};
        m_upstream = read(m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>());
        m_fake = std::make_unique<FakeAws>("asg", seed, false, false);
        std::string path = pipeline("");
        std::string text = read(path);
        auto at = text.find("hosts: [");
        text.replace(at, text.find('\n', at) - at, "hosts: [{ asg: { name: web-asg, region: eu-west-1 } }]");
        std::ofstream(path) << text;
    }
    void TearDown() override {
        // the deploys changed nginx's pool, not the endpoint (which checks that it left it as it found it)
        if (m_fake)
            std::ofstream(m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>()) << m_upstream;
        m_fake.reset();
        DeployTest::TearDown();
    }
    std::map<std::string, std::string> env(const std::string& key_id = kKeyId) const {
        return {{"AWS_ENDPOINT_URL", m_fake->endpoint()},
                {"AWS_ACCESS_KEY_ID", key_id},
                {"AWS_SECRET_ACCESS_KEY", kSecret},
                {"AWS_SESSION_TOKEN", ""},
                {"AWS_PROFILE", ""},
                {"AWS_EC2_METADATA_DISABLED", "true"},
                {"XDG_STATE_HOME", m_dir + "/state"},
                {"NO_COLOR", "1"}};
    }
    std::vector<std::string> env_argv() const {
        std::vector<std::string> argv{"env"};
        for (const auto& [k, v] : env()) argv.push_back(k + "=" + v);
        argv.push_back(HOIST_BINARY);
        return argv;
    }
    /// The group's suspended processes, as AWS says.
    std::vector<std::string> suspended() const {
        QueryClient as = client(kAutoScaling, m_fake->endpoint());
        auto groups = describe_groups(as, {"web-asg"});
        EXPECT_EQ(groups.size(), 1u);
        auto s = groups.empty() ? std::vector<std::string>{} : groups[0].suspended;
        std::sort(s.begin(), s.end());
        return s;
    }
    std::string record() const {
        return deploy::record_path(m_dir + "/state/hoist/asg-suspended", "eu-west-1", "web-asg");
    }
    int count(const std::string& needle) const {
        int n = 0;
        for (const auto& line : split(m_fake->log(), '\n')) n += line.find(needle) != std::string::npos;
        return n;
    }
    const std::string kSuspend = "autoscaling SuspendProcesses Launch Terminate ReplaceUnhealthy -> 200";
    const std::string kResume = "autoscaling ResumeProcesses Launch Terminate ReplaceUnhealthy -> 200";
    std::unique_ptr<FakeAws> m_fake;
    std::string m_upstream;
};

TEST_F(AsgTest, DeployToTheInServiceInstancesWithProcessesSuspended) {
    auto plan = hoist({"plan", "--tag", "v1"}, env());
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    std::string want = "Hosts from Auto Scaling group web-asg (" + std::to_string(m_hosts.size()) + "):\n";
    for (std::size_t i = 0; i < m_hosts.size(); ++i)
        want += "  " + m_hosts[i] + "  i-0a5g00000000000" + std::to_string(i + 1) + "\n";
    EXPECT_NE(plan.out.find(want), std::string::npos) << plan.out;
    EXPECT_NE(plan.out.find(
                  "Auto Scaling group web-asg: Launch, Terminate, AZRebalance, ReplaceUnhealthy suspended "
                  "while the rollout runs (those already suspended are left so), resumed at its end\n"),
              std::string::npos)
        << plan.out;
    EXPECT_EQ(count("SuspendProcesses"), 0) << "plan changes nothing";

    auto r = hoist({"-o", "json", "deploy", "--tag", "v1"}, env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_EQ(served().size(), m_hosts.size());
    EXPECT_NE(r.err.find(
                  "Auto Scaling group web-asg (eu-west-1): suspended Launch, Terminate, ReplaceUnhealthy for "
                  "the rollout (AZRebalance already suspended, not by hoist: left so)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(
        r.err.find("Auto Scaling group web-asg (eu-west-1): resumed Launch, Terminate, ReplaceUnhealthy"),
        std::string::npos)
        << r.err;
    // in that order, once each, and the group as it was
    std::string log = m_fake->log();
    ASSERT_NE(log.find(kSuspend), std::string::npos) << log;
    ASSERT_NE(log.find(kResume), std::string::npos) << log;
    EXPECT_LT(log.find(kSuspend), log.find(kResume));
    EXPECT_EQ(count(kSuspend), 1);
    EXPECT_EQ(count(kResume), 1);
    EXPECT_EQ(suspended(), (std::vector<std::string>{"AZRebalance"}));
    EXPECT_FALSE(fs::exists(record()));
}

TEST_F(AsgTest, AFailedDeployResumesToo) {
    auto r = hoist({"deploy", "--tag", "unhealthy"}, env());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(count(kSuspend), 1);
    EXPECT_EQ(count(kResume), 1);
    EXPECT_EQ(suspended(), (std::vector<std::string>{"AZRebalance"}));
    EXPECT_FALSE(fs::exists(record()));
}

TEST_F(AsgTest, ASuspendThatIamRefusesChangesNothing) {
    auto r = hoist({"deploy", "--tag", "v1"}, env("AKIAHOISTNOSUSPEND01"));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(
        r.err.find("cannot suspend the Auto Scaling group's processes: autoscaling SuspendProcesses at " +
                   m_fake->endpoint() +
                   ": AccessDenied: User: arn:aws:iam::123456789012:user/hoist-test is not "
                   "authorized to perform: autoscaling:SuspendProcesses"),
        std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("; nothing was changed"), std::string::npos) << r.err;
    for (const auto& h : m_hosts) EXPECT_EQ(get(h, 8080, "/version"), "") << h << " changed";
    EXPECT_EQ(suspended(), (std::vector<std::string>{"AZRebalance"}));
    EXPECT_FALSE(fs::exists(record()));
    EXPECT_FALSE(lock_held());
}

TEST_F(AsgTest, CtrlCResumes) {
    std::string path = m_dir + "/hoist.yml";
    std::ofstream(path, std::ios::app) << "strategy: { max_unavailable: 1, pause: 30s }\n";
    auto argv = env_argv();
    argv.insert(argv.end(), {"deploy", "--tag", "v1"});
    dtest::Spawned d(argv, m_dir, m_dir + "/int.out", m_dir + "/int.err");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto one_updated = [&] {
        for (const auto& h : m_hosts)
            if (get(h, 8080, "/version") == "v1") return true;
        return false;
    };
    while (!one_updated() && std::chrono::steady_clock::now() < until)  // then in the 30 s pause
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_EQ(count(kSuspend), 1) << read(m_dir + "/int.err");
    d.signal(SIGINT);
    EXPECT_EQ(d.wait(std::chrono::seconds(90)), 130) << read(m_dir + "/int.err");
    EXPECT_EQ(count(kResume), 1) << read(m_dir + "/int.err");
    EXPECT_EQ(suspended(), (std::vector<std::string>{"AZRebalance"}));
    EXPECT_FALSE(fs::exists(record()));
}

TEST_F(AsgTest, AfterASigkilledDeployTheNextCommandResumes) {
    std::string path = m_dir + "/hoist.yml";
    std::ofstream(path, std::ios::app) << "strategy: { max_unavailable: 1, pause: 30s }\n";
    auto argv = env_argv();
    argv.insert(argv.end(), {"deploy", "--tag", "v1"});
    auto d = std::make_unique<dtest::Spawned>(argv, m_dir, m_dir + "/kill.out", m_dir + "/kill.err");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (count(kSuspend) == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(count(kSuspend), 1) << read(m_dir + "/kill.err");
    pid_t pid = d->pid();
    d->signal(SIGKILL);
    EXPECT_EQ(d->wait(std::chrono::seconds(10)), 128 + SIGKILL);
    d.reset();
    // left as it was when killed: suspended, with the record naming that hoist
    EXPECT_EQ(suspended(),
              (std::vector<std::string>{"AZRebalance", "Launch", "ReplaceUnhealthy", "Terminate"}));
    ASSERT_TRUE(fs::exists(record()));
    auto rec = deploy::parse_record(read(record()));
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->pid, static_cast<long>(pid));
    EXPECT_EQ(rec->processes, (std::vector<std::string>{"Launch", "Terminate", "ReplaceUnhealthy"}));
    // plan only says so
    auto plan = hoist({"plan", "--tag", "v1"}, env());
    EXPECT_EQ(plan.exit_code, 0) << plan.err;
    std::string said = "Auto Scaling group web-asg (eu-west-1): a hoist deploy that did not end (pid " +
                       std::to_string(pid) + ") left Launch, Terminate, ReplaceUnhealthy suspended";
    EXPECT_NE(plan.err.find(said + "; the next deploy, rollback or status resumes them"), std::string::npos)
        << plan.err;
    EXPECT_EQ(count(kResume), 0);
    // the next command (here: status) resumes them
    auto status = hoist({"status"}, env());
    EXPECT_NE(status.err.find(said + "; resumed them"), std::string::npos) << status.err;
    EXPECT_EQ(count(kResume), 1);
    EXPECT_EQ(suspended(), (std::vector<std::string>{"AZRebalance"}));
    EXPECT_FALSE(fs::exists(record()));
    auto again = hoist({"status"}, env());
    EXPECT_EQ(again.err.find("did not end"), std::string::npos) << again.err;
}

// pipelines/ecr-asg-alb.yml, as shipped: validates, and plans against the endpoint (the group's
// hosts looked up; no ECR token needed to plan).
TEST_F(AsgTest, TheReferencePipelineValidatesAndPlans) {
    std::string file = std::string(HOIST_SOURCE_DIR) + "/pipelines/ecr-asg-alb.yml";
    auto e = env();
    e["HOME"] = m_dir;
    e["DOCKER_CONFIG"] = m_dir + "/no-docker-config";
    auto v = hoist({"-f", file, "validate"}, e);
    EXPECT_EQ(v.exit_code, 0) << v.err;
    EXPECT_NE(v.err.find("hosts from Auto Scaling group web-asg"), std::string::npos) << v.err;
    auto plan = hoist({"-f", file, "plan", "--tag", "abc123"}, e);
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(
        plan.out.find("Hosts from Auto Scaling group web-asg (" + std::to_string(m_hosts.size()) + "):"),
        std::string::npos)
        << plan.out;
    for (const auto& h : m_hosts) EXPECT_NE(plan.out.find("  " + h + "  i-0a5g"), std::string::npos) << h;
    EXPECT_NE(
        plan.out.find("with the credentials of an ECR authorization token (GetAuthorizationToken, eu-west-1) "
                      "(user AWS)"),
        std::string::npos)
        << plan.out;
    EXPECT_EQ(count("SuspendProcesses"), 0);
    EXPECT_EQ(count("GetAuthorizationToken"), 0);
}

}  // namespace
}  // namespace hoist::aws::itest
