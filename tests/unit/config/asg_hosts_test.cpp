// `hosts: [{ asg: { name, region, address } }]` as the spec writes it, and its errors.
#include <gtest/gtest.h>

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
    EXPECT_EQ(
        messages(load(kHead + "hosts:\n  - asg: {name: a, launch: converge}\n")),
        "hoist.yml:4:28: 'hosts[0].asg.launch: converge' is not supported by this version of hoist yet; "
        "remove "
        "it (instances the group launches later run nothing until the next deploy or hoist converge)\n");
}
