// EC2 discovery against the local endpoint: exactly the running instances with every tag, across
// pages, and `hoist plan` listing them.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "deploy/aws_hosts.hpp"
#include "aws/error.hpp"
#include "aws_fixture.hpp"
#include "config/loader.hpp"
#include "util/process.hpp"

namespace hoist::aws::itest {
using deploy::resolve_ec2_hosts;

namespace {

namespace fs = std::filesystem;

nlohmann::json ec2_seed() {
    auto s = base_seed();
    s["ec2_page_size"] = 3;
    nlohmann::json in = nlohmann::json::array();
    auto add = [&](int n, const std::string& state, nlohmann::json tags) {
        char id[32];
        std::snprintf(id, sizeof id, "i-0%015d", n);
        in.push_back({{"id", id},
                      {"state", state},
                      {"private_ip", "10.0." + std::to_string(n / 10) + "." + std::to_string(n)},
                      {"public_ip", "3.3.3." + std::to_string(n)},
                      {"tags", tags}});
    };
    nlohmann::json web = {{"role", "web"}, {"env", "prod"}};
    for (int n : {17, 3, 25, 8, 11, 40, 2}) add(n, "running", web);              // 7 matches
    add(30, "running", {{"role", "web"}, {"env", "prod"}, {"Name", "web-30"}});  // extra tags still match
    for (int n : {5, 6, 7}) add(n, "stopped", web);
    add(9, "pending", web);
    add(10, "terminated", web);
    for (int n : {12, 13, 14, 15, 16}) add(n, "running", {{"role", "web"}, {"env", "staging"}});
    for (int n : {20, 21, 22, 23}) add(n, "running", {{"role", "db"}, {"env", "prod"}});
    add(24, "running", {{"role", "web"}});
    s["instances"] = in;
    return s;
}

config::Pipeline pipeline(const std::string& address = "private", const std::string& env = "prod") {
    config::LoadOptions o;
    o.file = "hoist.yml";
    o.env = [](const std::string&) { return std::nullopt; };
    auto r = config::load_pipeline_text(
        "service: web\nimage: r.example.com/web\nssh: {user: ec2-user}\nhosts:\n"
        "  ec2: {region: eu-west-1, tags: {role: web, env: " +
            env + "}, address: " + address + "}\n",
        o);
    EXPECT_TRUE(r.ok());
    return r.pipeline;
}

ChainOptions chain(const std::string& endpoint) {
    ChainOptions c;
    c.env = [endpoint](const std::string& n) -> std::optional<std::string> {
        if (n == "AWS_ACCESS_KEY_ID") return std::string(kKeyId);
        if (n == "AWS_SECRET_ACCESS_KEY") return std::string(kSecret);
        if (n == "AWS_ENDPOINT_URL_EC2") return endpoint;
        return std::nullopt;
    };
    return c;
}

class Ec2Hosts : public AwsFleetTest {};

TEST_F(Ec2Hosts, ExactlyTheRunningTaggedInstancesAcrossPages) {
    FakeAws fake("ec2", ec2_seed(), false, false);
    int pages = 0;
    QueryOptions q;
    q.transport = [&](http::Request r) {
        ++pages;
        return http::perform(std::move(r));
    };
    auto hosts = resolve_ec2_hosts(pipeline(), chain(fake.endpoint()), q);
    std::vector<std::string> got;
    for (const auto& h : hosts) got.push_back(h.address + " " + h.instance_id + " " + h.user);
    EXPECT_EQ(got, (std::vector<std::string>{
                       "10.0.0.2 i-0000000000000002 ec2-user", "10.0.0.3 i-0000000000000003 ec2-user",
                       "10.0.0.8 i-0000000000000008 ec2-user", "10.0.1.11 i-0000000000000011 ec2-user",
                       "10.0.1.17 i-0000000000000017 ec2-user", "10.0.2.25 i-0000000000000025 ec2-user",
                       "10.0.3.30 i-0000000000000030 ec2-user", "10.0.4.40 i-0000000000000040 ec2-user"}));
    EXPECT_EQ(pages, 3);  // 8 matches, 3 per page
    auto pub = resolve_ec2_hosts(pipeline("public"), chain(fake.endpoint()));
    ASSERT_EQ(pub.size(), 8u);
    EXPECT_EQ(pub[0].address, "3.3.3.11");
}

TEST_F(Ec2Hosts, NoMatchIsAnError) {
    FakeAws fake("ec2", ec2_seed(), false, false);
    try {
        resolve_ec2_hosts(pipeline("private", "qa"), chain(fake.endpoint()));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "hosts.ec2: no running EC2 instance in eu-west-1 has the tags env=qa, "
                  "role=web (hosts.ec2 at hoist.yml:5:3)");
    }
}

TEST_F(Ec2Hosts, HoistPlanListsThem) {
    FakeAws fake("ec2", ec2_seed(), false, false);
    auto dir = fs::temp_directory_path() / ("hoist-aws-plan-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "hoist.yml") << "service: web\nimage: r.example.com/web\nhosts:\n"
                                        "  ec2: {tags: {role: web, env: prod}}\n";
    ProcessOptions o;
    o.cwd = dir.string();
    o.env = {{"AWS_ENDPOINT_URL", fake.endpoint()},
             {"AWS_ACCESS_KEY_ID", kKeyId},
             {"AWS_SECRET_ACCESS_KEY", kSecret},
             {"AWS_REGION", kRegion},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"HOME", dir.string()},
             {"AWS_PROFILE", ""},
             {"AWS_SESSION_TOKEN", ""}};
    auto r = run_process({HOIST_BINARY, "plan", "--tag", "t1"}, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind(
                  "Hosts from EC2 (8):\n  10.0.0.2  i-0000000000000002\n  10.0.0.3  i-0000000000000003\n", 0),
              0u)
        << r.out;
    EXPECT_NE(r.out.find("Plan: deploy web t1 to 8 hosts"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos);

    // --hosts is applied as a deploy applies it (one resolution for every command): the instances
    // are listed, the plan covers the one named
    r = run_process({HOIST_BINARY, "--hosts", "10.0.0.3", "plan", "--tag", "t1"}, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("Hosts from EC2 (8):\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("Plan: deploy web t1 to 1 host,"), std::string::npos) << r.out;
    r = run_process({HOIST_BINARY, "--hosts", "10.9.9.9", "plan", "--tag", "t1"}, o);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--hosts names '10.9.9.9', which is not one of the running EC2 instances"), std::string::npos)
        << r.err;

    o.env["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-Zq81x";
    r = run_process({HOIST_BINARY, "plan", "--tag", "t1"}, o);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(
        r.err.find("hosts.ec2: ec2 DescribeInstances at " + fake.endpoint() + ": SignatureDoesNotMatch"),
        std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("wrong-secret-Zq81x"), std::string::npos) << "the secret reached a message";
    fs::remove_all(dir);
}

}  // namespace
}  // namespace hoist::aws::itest
