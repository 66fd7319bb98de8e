// `hoist deploy` with `load_balancer.type: alb`, end to end: the hoist binary, the test fleet's
// hosts over SSH, the local AWS endpoint as the ALB, and loadgen through the nginx that endpoint
// drives. Rolling and blue/green, each deployed twice (v1, then v2 under load): 0 failed requests.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "aws_fixture.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace hoist::aws::itest {
namespace {

namespace fs = std::filesystem;

nlohmann::json group(const std::string& name, int port) {
    return {{"arn", arn("targetgroup", name)},
            {"port", port},
            {"deregistration_delay_s", 2},
            {"health_check_path", "/healthz"},
            {"targets", nlohmann::json::array()}};
}

nlohmann::json seed_with(nlohmann::json groups, const std::string& first_group) {
    auto s = base_seed();
    s["target_groups"] = std::move(groups);
    s["load_balancers"] = {
        {{"arn", arn("loadbalancer", "app/dep/1")},
         {"listeners",
          {{{"arn", arn("listener", "app/dep/1/1")},
            {"port", 80},
            {"default_actions", {{{"type", "forward"}, {"target_group_arn", first_group}}}}}}}}};
    s["nginx_listener"] = arn("listener", "app/dep/1/1");
    return s;
}

class DeployAlb : public AwsFleetTest {
protected:
    void SetUp() override {
        AwsFleetTest::SetUp();
        if (HasFatalFailure()) return;
        dir = fs::temp_directory_path() / ("hoist-aws-deploy-" + std::to_string(::getpid()));
        fs::create_directories(dir);
    }
    void TearDown() override {
        if (service.empty()) return;
        for (const auto& h : f().hosts)  // what hoist left: containers, ~/.hoist/<service>
            sh("docker -H " + h.docker_host + " ps -aq --filter label=hoist.service=" + service +
               " | xargs -r docker -H " + h.docker_host + " rm -f >/dev/null");
        for (const auto& h : f().json["hosts"])
            fs::remove_all(h["home"].get<std::string>() + "/.hoist/" + service);
        fs::remove_all(dir);
    }
    void write_pipeline(const std::string& lb_and_strategy, const std::string& hosts_yaml = "") {
        const auto& j = f().json;
        std::string hosts;
        for (const auto& h : f().hosts) hosts += (hosts.empty() ? "" : ", ") + h.address;
        std::ofstream(dir / "hoist.yml")
            << "service: " << service << "\nimage: " << j["images"]["repository"].get<std::string>()
            << "\nregistry: {insecure: true}\n"
            << (hosts_yaml.empty() ? "hosts: [" + hosts + "]\n" : hosts_yaml)
            << "ssh: {user: " << j["ssh"]["user"].get<std::string>() << ", identity_files: ["
            << j["ssh"]["identity_file"].get<std::string>()
            << "], known_hosts: " << j["ssh"]["known_hosts"].get<std::string>()
            << ", host_key_checking: strict}\n"
            << "container: {port: 8080, host_port: 18280, stop_timeout: 1s}\n"
            << "healthcheck: {path: /healthz, interval: 200ms, healthy_threshold: 2, deadline: 20s}\n"
            << lb_and_strategy;
    }
    ProcessResult hoist(const FakeAws& fake, const std::string& tag) {
        ProcessOptions o;
        o.cwd = dir.string();
        o.env = {{"AWS_ENDPOINT_URL", fake.endpoint()},
                 {"AWS_ACCESS_KEY_ID", kKeyId},
                 {"AWS_SECRET_ACCESS_KEY", kSecret},
                 {"AWS_SESSION_TOKEN", ""},
                 {"AWS_PROFILE", ""},
                 {"AWS_EC2_METADATA_DISABLED", "true"},
                 {"AWS_REGION", ""},
                 {"NO_COLOR", "1"}};
        return run_process({HOIST_BINARY, "-o", "json", "deploy", "--tag", tag, "--skip-build", "--skip-push"}, o);
    }
    void expect_serves(const std::string& version) {
        for (int i = 0; i < 6; ++i) EXPECT_EQ(http_get(f().nginx_url + "/version"), version);
    }
    fs::path dir;
    std::string service;
};

TEST_F(DeployAlb, RollingTwiceUnderLoad) {
    service = "awsroll";
    FakeAws fake("deploy", seed_with({group("awsroll/1", 18280)}, arn("targetgroup", "awsroll/1")));
    write_pipeline(
        "load_balancer: {type: alb, region: eu-west-1, target_group_arn: " + arn("targetgroup", "awsroll/1") +
        ", drain_time: 3s}\nstrategy: {type: rolling, max_unavailable: 1}\n");
    auto r = hoist(fake, "v1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_serves("v1");

    Loadgen load(f().nginx_url, {"-c", "4", "--slow", "2", "--slow-path", "/cgi-bin/slow?1"});
    r = hoist(fake, "v2");
    auto stats = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_GT(stats.value("requests", 0), 100) << stats.dump();
    EXPECT_EQ(stats.value("non2xx", -1), 0) << stats.dump();
    EXPECT_EQ(stats.value("socket_errors", -1), 0) << stats.dump();
    EXPECT_GT(stats["versions"].value("v1", 0), 0) << stats.dump();
    EXPECT_GT(stats["versions"].value("v2", 0), 0) << stats.dump();
    std::printf("[ measured ] hoist deploy rolling (alb) v1 -> v2 under load: %s\n", stats.dump().c_str());
    expect_serves("v2");
    EXPECT_EQ(r.err.find(kSecret), std::string::npos);
    if (HasFailure())
        std::printf("hoist stderr:\n%s\nfake-aws log:\n%s\n", r.err.c_str(), fake.log().c_str());
}

TEST_F(DeployAlb, BlueGreenTwiceUnderLoad) {
    service = "awsbg";
    FakeAws fake("deploy", seed_with({group("awsbg-blue/1", 18281), group("awsbg-green/2", 18282)},
                                     arn("targetgroup", "awsbg-blue/1")));
    write_pipeline(
        "load_balancer: {type: alb, region: eu-west-1, listener_arn: " + arn("listener", "app/dep/1/1") +
        ", target_groups: {blue: " + arn("targetgroup", "awsbg-blue/1") +
        ", green: " + arn("targetgroup", "awsbg-green/2") +
        "}, drain_time: 2s}\n"
        "strategy: {type: blue_green, ports: {blue: 18281, green: 18282}}\n");
    auto r = hoist(fake, "v1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_serves("v1");

    Loadgen load(f().nginx_url, {"-c", "4", "--slow", "2", "--slow-path", "/cgi-bin/slow?1"});
    r = hoist(fake, "v2");
    auto stats = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_GT(stats.value("requests", 0), 100) << stats.dump();
    EXPECT_EQ(stats.value("non2xx", -1), 0) << stats.dump();
    EXPECT_EQ(stats.value("socket_errors", -1), 0) << stats.dump();
    EXPECT_GT(stats["versions"].value("v2", 0), 0) << stats.dump();
    std::printf("[ measured ] hoist deploy blue/green (alb) v1 -> v2 under load: %s\n", stats.dump().c_str());
    expect_serves("v2");
    if (HasFailure())
        std::printf("hoist stderr:\n%s\nfake-aws log:\n%s\n", r.err.c_str(), fake.log().c_str());
}

}  // namespace

TEST_F(DeployAlb, HostsFromEc2TagsAreExactlyTheRunningTaggedInstances) {
    service = "awsec2";
    auto seed = seed_with({group("awsec2/1", 18280)}, arn("targetgroup", "awsec2/1"));
    // the fleet's hosts are the running instances tagged role=web; others must not be touched
    nlohmann::json in = nlohmann::json::array();
    int n = 0;
    for (const auto& h : f().hosts)
        in.push_back({{"id", "i-00000000000000a" + std::to_string(++n)}, {"state", "running"},
                      {"private_ip", h.address}, {"public_ip", "3.3.3." + std::to_string(n)},
                      {"tags", {{"role", "web"}}}});
    in.push_back({{"id", "i-00000000000000b1"}, {"state", "stopped"}, {"private_ip", "10.255.0.1"},
                  {"public_ip", "3.3.4.1"}, {"tags", {{"role", "web"}}}});
    in.push_back({{"id", "i-00000000000000b2"}, {"state", "running"}, {"private_ip", "10.255.0.2"},
                  {"public_ip", "3.3.4.2"}, {"tags", {{"role", "db"}}}});
    seed["instances"] = in;
    FakeAws fake("deploy", seed);
    write_pipeline("load_balancer: {type: alb, region: eu-west-1, target_group_arn: " + arn("targetgroup", "awsec2/1") +
                       ", drain_time: 3s}\n",
                   "hosts:\n  ec2: {region: eu-west-1, tags: {role: web}, address: private}\n");
    auto r = hoist(fake, "v1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto lines = split(trim(r.out), '\n');
    auto summary = nlohmann::json::parse(lines.back());
    std::vector<std::string> got, want;
    for (const auto& h : summary["hosts"]) {
        got.push_back(h["host"].get<std::string>());
        EXPECT_EQ(h["result"], "updated") << h.dump();
    }
    for (const auto& h : f().hosts) want.push_back(h.address);
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "exactly the running instances with the tag";
    EXPECT_NE(r.err.find("hosts from EC2 tags"), std::string::npos) << r.err;
    expect_serves("v1");
}

// An Auto Scaling group behind the ALB (spec section 8): the hosts are the group's InService
// instances, registered as instance targets; v2 under load with 0 failed requests, the group's
// processes suspended during each rollout and resumed after it.
TEST_F(DeployAlb, AutoScalingGroupInstancesAsInstanceTargetsUnderLoad) {
    service = "awsasg";
    auto g = group("awsasg/1", 18280);
    g["target_type"] = "instance";
    auto seed = seed_with({g}, arn("targetgroup", "awsasg/1"));
    nlohmann::json in = nlohmann::json::array(), members = nlohmann::json::array();
    int n = 0;
    for (const auto& h : f().hosts) {
        std::string id = "i-0000000000000a5" + std::to_string(++n);
        in.push_back({{"id", id}, {"state", "running"}, {"private_ip", h.address}});
        members.push_back({{"id", id}, {"lifecycle_state", "InService"}});
    }
    seed["instances"] = in;
    seed["auto_scaling_groups"] = {{{"name", "web-asg"}, {"instances", members}}};
    FakeAws fake("deploy", seed);
    write_pipeline("load_balancer: {type: alb, region: eu-west-1, target_group_arn: " + arn("targetgroup", "awsasg/1") +
                       ", drain_time: 3s}\n",
                   "hosts: [{ asg: { name: web-asg, region: eu-west-1 } }]\n");
    auto r = hoist(fake, "v1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_serves("v1");
    Loadgen load(f().nginx_url, {"-c", "4", "--slow", "2", "--slow-path", "/cgi-bin/slow?1"});
    r = hoist(fake, "v2");
    auto stats = load.stop();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_GT(stats.value("requests", 0), 100) << stats.dump();
    EXPECT_EQ(stats.value("non2xx", -1), 0) << stats.dump();
    EXPECT_EQ(stats.value("socket_errors", -1), 0) << stats.dump();
    std::printf("[ measured ] hoist deploy rolling (alb, auto scaling group) v1 -> v2 under load: %s\n",
                stats.dump().c_str());
    expect_serves("v2");
    EXPECT_NE(r.err.find("hosts from Auto Scaling group web-asg"), std::string::npos) << r.err;
    // the targets are the instances
    auto health = elbv2(fake.endpoint())->describe_target_health(arn("targetgroup", "awsasg/1"), {});
    std::vector<std::string> ids;
    for (const auto& t : health) ids.push_back(t.target.id);
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> want;
    for (const auto& i : in) want.push_back(i["id"].get<std::string>());
    EXPECT_EQ(ids, want);
    std::string log = fake.log();
    int suspends = 0, resumes = 0;
    for (const auto& line : split(log, '\n')) {
        suspends += line.find("autoscaling SuspendProcesses Launch Terminate AZRebalance ReplaceUnhealthy -> 200") !=
                    std::string::npos;
        resumes += line.find("autoscaling ResumeProcesses Launch Terminate AZRebalance ReplaceUnhealthy -> 200") !=
                   std::string::npos;
    }
    EXPECT_EQ(suspends, 2);
    EXPECT_EQ(resumes, 2);
    if (HasFailure()) std::printf("hoist stderr:\n%s\nfake-aws log:\n%s\n", r.err.c_str(), log.c_str());
}

}  // namespace hoist::aws::itest
