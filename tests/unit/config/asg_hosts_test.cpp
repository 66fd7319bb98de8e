// `hosts: [{ asg: { name, region, address } }]` as the spec writes it, and its errors.
#include <gtest/gtest.h>

#include <map>

#include "../test_support.hpp"

using hoist::test::load;
using hoist::test::messages;

namespace {
const std::string kHead = "service: web\nimage: r.example.com/web\n";
}

TEST(AsgHosts, AsTheSpecWritesIt) {
    auto r = load(kHead + "hosts: [{ asg: { name: web-asg, region: eu-west-1, address: public } }]\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    ASSERT_TRUE(r.pipeline.asg);
    EXPECT_EQ(r.pipeline.asg->name, "web-asg");
    EXPECT_EQ(r.pipeline.asg->region, "eu-west-1");
    EXPECT_EQ(r.pipeline.asg->address, "public");
    EXPECT_TRUE(r.pipeline.hosts.empty());
    EXPECT_TRUE(r.pipeline.discovered_hosts());
    auto d = load(kHead + "hosts:\n  - asg: {name: web-asg}\n");
    ASSERT_TRUE(d.ok()) << messages(d);
    EXPECT_EQ(d.pipeline.asg->region, "");
    EXPECT_EQ(d.pipeline.asg->address, "private");
}

TEST(AsgHosts, HostsRestrictionIsCheckedAfterTheLookup) {
    auto r = load(kHead + "hosts: [{ asg: { name: web-asg } }]\n", {}, "", {"10.0.0.9"});
    EXPECT_TRUE(r.ok()) << messages(r);
}

TEST(AsgHosts, Errors) {
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {region: eu-west-1}\n")),
              "hoist.yml:4:10: missing required key 'name' in 'hosts[0].asg'\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a, adress: public}\n")),
              "hoist.yml:4:20: unknown key 'adress' in 'hosts[0].asg' (did you mean 'address'?)\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a, address: elastic}\n")),
              "hoist.yml:4:29: 'hosts[0].asg.address' must be one of private, public; got 'elastic'\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a}\n    user: ec2-user\n")),
              "hoist.yml:5:5: unknown key 'user' in 'hosts[0]'\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - 10.0.0.1\n  - asg: {name: a}\n")),
              "hoist.yml:5:5: 'hosts[1].asg': an Auto Scaling group must be the only entry of 'hosts' (its "
              "instances are the hosts)\n");
}

TEST(AsgHosts, LaunchConvergeWithItsSecretsInSsm) {
    const std::string hosts = "hosts:\n  - asg: {name: a, launch: converge, ssm: {DB_PASSWORD: /web/prod/db}}\n";
    auto r = load(kHead + hosts + "container: {port: 8080, secret_env: [DB_PASSWORD]}\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_TRUE(r.pipeline.asg->launch_converge);
    EXPECT_EQ(r.pipeline.asg->ssm, (std::map<std::string, std::string>{{"DB_PASSWORD", "/web/prod/db"}}));
    auto plain = load(kHead + "hosts: [{asg: {name: a, launch: converge}}]\n");
    ASSERT_TRUE(plain.ok()) << messages(plain);
    EXPECT_TRUE(plain.pipeline.asg->launch_converge);
    EXPECT_FALSE(load(kHead + "hosts: [{asg: {name: a}}]\n").pipeline.asg->launch_converge);
}

TEST(AsgHosts, LaunchConvergeErrors) {
    // a secret the instances could not read at boot
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a, launch: converge}\ncontainer: {secret_env: [DB_PASSWORD]}\n")),
              "hoist.yml:4:28: launch: converge: the secret 'DB_PASSWORD' has no SSM parameter; instances read it "
              "at boot, so add it to 'asg.ssm' (e.g. ssm: { DB_PASSWORD: /web/DB_PASSWORD })\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a, launch: converge, ssm: {X: /x}}\n")),
              "hoist.yml:4:43: 'asg.ssm.X' is not in 'container.secret_env'\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a, ssm: {X: /x}}\ncontainer: {secret_env: [X]}\n")),
              "hoist.yml:4:25: 'asg.ssm' names where instances read their secrets at boot; it needs 'launch: "
              "converge'\n");
    EXPECT_EQ(messages(load(kHead + "hosts:\n  - asg: {name: a, launch: converge, ssm: {X: 'a b'}}\n"
                                    "container: {secret_env: [X]}\n")),
              "hoist.yml:4:43: 'hosts[0].asg.ssm.X': 'a b' is not an SSM parameter name (letters, digits, _ . - "
              "and /, a path starts with '/', at most 2048 characters)\n");
    auto direct = messages(load("service: web\nimage: acme/web\nregistry: {direct: true}\n"
                                "hosts:\n  - asg: {name: a, launch: converge}\n"));
    EXPECT_NE(direct.find("launch: converge needs a registry"), std::string::npos) << direct;
    auto password = messages(load(kHead + "registry: {username: u, password: p}\n"
                                          "hosts:\n  - asg: {name: a, launch: converge}\n"));
    EXPECT_NE(password.find("the registry's password cannot go into user data"), std::string::npos) << password;
}
