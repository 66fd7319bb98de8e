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
#include "aws/launch_template.hpp"
#include "util/base64.hpp"
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
            {{"name", "web-asg"}, {"instances", members}, {"suspended", {"AZRebalance"}}, {"launch_template", kTemplate}},
            {{"name", "other-asg"}, {"instances", nlohmann::json::array()}}};
        seed["launch_templates"] = {{{"id", kTemplate["id"]}, {"name", "web"},
                                     {"versions", {{{"number", 1}, {"description", "base AMI, no app"}}}}, {"default", 1}}};
        seed["ssm_parameters"] = {{{"name", "/web/prod/DATABASE_URL"}, {"type", "SecureString"},
                                   {"value", "postgres://app:from-ssm@db/app"}}};
        seed["credentials"].push_back(
            {{"access_key_id", "AKIAHOISTNOSUSPEND01"}, {"secret_access_key", kSecret}});
        seed["denied_actions"] = {{"AKIAHOISTNOSUSPEND01", {"SuspendProcesses"}}};
        m_upstream = read(m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>());
        m_seed = seed;
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
    /// The endpoint again with another seed (its state starts over); nginx's routing is kept.
    void restart_fake(const nlohmann::json& seed, const std::string& id) {
        const std::string file = m_fleet["lb"]["nginx"]["config_path_local"].get<std::string>();
        const std::string routed = read(file);  // the endpoint checks that it leaves nginx as it found it
        std::ofstream(file) << m_upstream;
        m_fake.reset();
        m_fake = std::make_unique<FakeAws>(id, seed, false, false);
        std::ofstream(file) << routed;
    }
    /// The fixture's pipeline with `launch: converge` and the secret DATABASE_URL read from SSM.
    void launch_pipeline(const std::string& env = "") {
        std::string path = m_dir + "/hoist.yml";
        std::string text = read(path);
        auto at = text.find("hosts: [");
        text.replace(at, text.find('\n', at) - at,
                     "hosts: [{ asg: { name: web-asg, region: eu-west-1, launch: converge, ssm: { DATABASE_URL: "
                     "/web/prod/DATABASE_URL } } }]");
        at = text.find("container: {");
        text.replace(at, text.find('\n', at) - at,
                     "container: { port: 8080, host_port: 8080, stop_timeout: 1s, secret_env: [DATABASE_URL]" +
                         (env.empty() ? "" : ", env: " + env) + " }");
        std::ofstream(path) << text;
    }
    std::map<std::string, std::string> launch_env() const {
        auto e = env();
        e["DATABASE_URL"] = "postgres://app:from-the-runner@db/app";
        return e;
    }
    const nlohmann::json kTemplate = {{"id", "lt-0a5g0000000000001"}, {"name", "web"}, {"version", "$Latest"}};
    const std::string kSuspend = "autoscaling SuspendProcesses Launch Terminate ReplaceUnhealthy -> 200";
    const std::string kResume = "autoscaling ResumeProcesses Launch Terminate ReplaceUnhealthy -> 200";
    std::unique_ptr<FakeAws> m_fake;
    nlohmann::json m_seed;
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

// launch: converge, end to end: a deploy writes the launch template version; its user data, taken
// from the endpoint as EC2 keeps it and run the way cloud-init runs it (as root, with the AWS CLI
// of the instance) on a host that ran nothing, reads the secret from SSM and starts the release,
// healthy, with hoist's labels; `hoist status` counts that instance current and `hoist converge`
// changes nothing on it but puts it into the pool.
TEST_F(AsgTest, LaunchConvergeANewInstanceStartsTheReleaseFromTheUserData) {
    ASSERT_GE(m_hosts.size(), 3u);
    const std::string fresh = m_hosts[2];
    auto seed = m_seed;
    seed["auto_scaling_groups"][0]["instances"][2]["lifecycle_state"] = "Pending";  // being launched
    restart_fake(seed, "asg-launch");
    launch_pipeline();
    auto e = launch_env();

    auto plan = hoist({"plan", "--tag", "v1"}, e);
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("Launch template lt-0a5g0000000000001 (web), launched by web-asg at $Latest (now "
                            "version 1): after a successful deploy, a new version whose user data starts app v1 at "
                            "boot (secrets from SSM: DATABASE_URL=/web/prod/DATABASE_URL)"),
              std::string::npos)
        << plan.out;

    auto r = hoist({"-o", "json", "deploy", "--tag", "v1"}, e);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto sum = r.summary();
    EXPECT_EQ(sum["launch_template"]["version"], 2) << sum.dump();
    EXPECT_EQ(sum["launch_template"]["created"], true);
    EXPECT_NE(r.err.find("launch template lt-0a5g0000000000001 (Auto Scaling group web-asg, $Latest): version 2 "
                         "written: instances launched from now on start app v1 (sha256:"),
              std::string::npos)
        << r.err;
    // written while the group could not launch: before the processes were resumed
    std::string log = m_fake->log();
    ASSERT_NE(log.find("ec2 CreateLaunchTemplateVersion -> 200"), std::string::npos) << log;
    EXPECT_LT(log.find("ec2 CreateLaunchTemplateVersion -> 200"), log.find(kResume));

    // the user data as EC2 keeps it: the release by digest, no secret value
    QueryClient ec2 = client(kEc2, m_fake->endpoint());
    auto versions = describe_template_versions(ec2, "lt-0a5g0000000000001", {"$Latest"});
    ASSERT_EQ(versions.size(), 1u);
    EXPECT_EQ(versions[0].number, 2);
    EXPECT_EQ(versions[0].description.rfind("hoist: app v1 sha256:", 0), 0u) << versions[0].description;
    auto script = base64_decode(versions[0].user_data);
    ASSERT_TRUE(script);
    EXPECT_EQ(script->find("from-ssm"), std::string::npos);
    EXPECT_EQ(script->find("from-the-runner"), std::string::npos);
    EXPECT_NE(script->find(m_image + "@sha256:"), std::string::npos) << *script;

    // a fresh instance boots: cloud-init runs the user data as root; its AWS CLI reaches the endpoint
    auto boot = boot_user_data(m_fleet["ssh"]["config"].get<std::string>(), fresh, m_dir, m_fake->endpoint(),
                               *script);
    std::string boot_log = boot.log;
    ASSERT_EQ(boot.exit_code, 0) << boot.out << boot_log;
    EXPECT_NE(boot_log.find("app-v1 is healthy"), std::string::npos) << boot_log;
    EXPECT_EQ(get(fresh, 8080, "/version"), "v1");
    const auto& node = m_fleet["hosts"][2];
    auto inspect = run_process({"docker", "-H", node["docker_host"].get<std::string>(), "inspect", "--format",
                                "{{json .Config.Labels}} {{json .Config.Env}}", "app-v1"});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
    for (const std::string want : {"\"hoist.service\":\"app\"", "\"hoist.version\":\"v1\"", "\"hoist.port\":\"8080\"",
                                   "\"DATABASE_URL=postgres://app:from-ssm@db/app\""})
        EXPECT_NE(inspect.out.find(want), std::string::npos) << want << " in " << inspect.out;
    EXPECT_FALSE(fs::exists(node["home"].get<std::string>() + "/.hoist/app/app-v1.env")) << "the env file is removed";
    EXPECT_NE(m_fake->log().find("ssm GetParameter /web/prod/DATABASE_URL eu-west-1 -> 200"), std::string::npos)
        << m_fake->log();
    EXPECT_EQ(m_fake->log().find("from-ssm"), std::string::npos);

    // the instance is InService: status counts it current, converge changes nothing on it and routes to it
    seed["auto_scaling_groups"][0]["instances"][2]["lifecycle_state"] = "InService";
    restart_fake(seed, "asg-launched");
    e = launch_env();
    auto st = hoist({"-o", "json", "status"}, e);
    ASSERT_EQ(st.exit_code, 0) << st.err;
    bool counted = false;
    for (const auto& ev : events(st, "host_status"))
        if (ev.value("host", "") == fresh) counted = ev.value("version", "") == "v1";
    EXPECT_TRUE(counted) << st.out;
    auto before = pool();
    EXPECT_EQ(std::count(before.begin(), before.end(), fresh + ":8080"), 0) << "not routed to before the converge";
    auto c = hoist({"-o", "json", "converge"}, e);
    ASSERT_EQ(c.exit_code, 0) << c.err;
    for (const auto& h : c.summary()["hosts"]) EXPECT_EQ(h["result"], "unchanged") << h.dump();
    auto members = pool();
    EXPECT_EQ(std::count(members.begin(), members.end(), fresh + ":8080"), 1) << join(members, " ");
    EXPECT_EQ(get(fresh, 8080, "/version"), "v1");
}

// launch: converge's AWS errors, as the endpoint answers them: what the pre-flight finds stops the
// deploy before anything changed (exit 1, the group's processes never suspended); a template write
// that IAM refuses after a successful rollout is a warning, the deploy stands and the processes
// are resumed.
TEST_F(AsgTest, LaunchConvergeAwsErrors) {
    launch_pipeline();
    auto expect_stopped = [&](const std::string& id, const nlohmann::json& seed, const std::string& want) {
        restart_fake(seed, id);
        auto r = hoist({"deploy", "--tag", "v1"}, launch_env());
        EXPECT_EQ(r.exit_code, 1) << id << ": " << r.err;
        EXPECT_NE(r.err.find(want), std::string::npos) << id << ": " << r.err;
        EXPECT_NE(r.err.find("; nothing was changed"), std::string::npos) << id << ": " << r.err;
        EXPECT_EQ(count("SuspendProcesses"), 0) << id;
        EXPECT_EQ(count("CreateLaunchTemplateVersion"), 0) << id;
    };
    auto missing = m_seed;
    missing["ssm_parameters"] = nlohmann::json::array();
    expect_stopped("lt-missing", missing,
                   "launch: converge: Auto Scaling group 'web-asg' (eu-west-1): SSM Parameter Store in eu-west-1 has "
                   "no parameter /web/prod/DATABASE_URL (instances read their secrets from it at boot)");
    auto denied = m_seed;
    denied["ssm"] = {{"denied_keys", {kKeyId}}};
    expect_stopped("lt-ssm-denied", denied,
                   "AccessDeniedException: User: arn:aws:iam::123456789012:user/hoist-test is not authorized to "
                   "perform: ssm:GetParameters");
    auto pinned = m_seed;
    pinned["auto_scaling_groups"][0]["launch_template"]["version"] = "1";
    expect_stopped("lt-pinned", pinned,
                   "launches version 1 of launch template lt-0a5g0000000000001; hoist's new versions would never be "
                   "launched. Point the group at $Default");
    auto config = m_seed;
    config["auto_scaling_groups"][0].erase("launch_template");
    config["auto_scaling_groups"][0]["launch_configuration"] = "web-lc";
    expect_stopped("lt-config", config, "launches from launch configuration 'web-lc'");
    // user data EC2 would refuse (16 KB): known before the rollout, not after it
    launch_pipeline("{ CA_BUNDLE: " + std::string(17000, 'c') + " }");
    expect_stopped("lt-too-large", m_seed, "bytes; EC2 keeps at most 16384. It holds the container's env");
    launch_pipeline();

    // IAM refuses the write after the rollout: the deploy stands, the warning says what launches now
    auto refused = m_seed;
    refused["denied_actions"] = {{kKeyId, {"CreateLaunchTemplateVersion"}}};
    restart_fake(refused, "lt-refused");
    auto r = hoist({"-o", "json", "deploy", "--tag", "v1"}, launch_env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [h, v] : served()) EXPECT_EQ(v, "v1") << h;
    EXPECT_NE(r.err.find("the deploy succeeded, but launch template lt-0a5g0000000000001 was not updated: ec2 "
                         "CreateLaunchTemplateVersion at " + m_fake->endpoint() + ": UnauthorizedOperation: You are "
                         "not authorized to perform this operation."),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("Instances the group launches start version 1's user data until a deploy or hoist converge "
                         "writes it"),
              std::string::npos)
        << r.err;
    auto sum = r.summary();
    EXPECT_NE(sum["launch_template"].value("error", "").find("UnauthorizedOperation"), std::string::npos) << sum.dump();
    EXPECT_EQ(count(kResume), 1) << "resumed all the same";
    EXPECT_FALSE(fs::exists(record()));
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
    EXPECT_NE(plan.out.find("Launch template lt-0a5g0000000000001 (web), launched by web-asg at $Latest (now "
                            "version 1): after a successful deploy, a new version whose user data starts web abc123 at "
                            "boot (secrets from SSM: DATABASE_URL=/web/prod/DATABASE_URL)"),
              std::string::npos)
        << plan.out;
    EXPECT_EQ(count("SuspendProcesses"), 0);
    EXPECT_EQ(count("GetAuthorizationToken"), 0);
    EXPECT_EQ(count("CreateLaunchTemplateVersion"), 0);
}

}  // namespace
}  // namespace hoist::aws::itest
