// DescribeInstances parameters, pages and the hosts made of them.
#include <gtest/gtest.h>

#include <deque>

#include "../test_support.hpp"
#include "deploy/aws_hosts.hpp"
#include "aws/error.hpp"

namespace hoist::aws {
using deploy::hosts_from_instances;

namespace {

std::string instance_xml(const std::string& id, const std::string& state, const std::string& priv,
                         const std::string& pub, const std::map<std::string, std::string>& tags) {
    std::string t;
    for (const auto& [k, v] : tags) t += "<item><key>" + k + "</key><value>" + v + "</value></item>";
    return "<item><instanceId>" + id + "</instanceId><instanceState><code>16</code><name>" + state +
           "</name></instanceState><privateIpAddress>" + priv + "</privateIpAddress>" +
           (pub.empty() ? "" : "<ipAddress>" + pub + "</ipAddress>") + "<tagSet>" + t + "</tagSet></item>";
}

std::string page(const std::vector<std::string>& instances, const std::string& next) {
    std::string r =
        "<DescribeInstancesResponse "
        "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>x</requestId>"
        "<reservationSet><item><reservationId>r-1</reservationId><instancesSet>";
    for (const auto& i : instances) r += i;
    r += "</instancesSet></item></reservationSet>";
    if (!next.empty()) r += "<nextToken>" + next + "</nextToken>";
    return r + "</DescribeInstancesResponse>";
}

TEST(Ec2, Params) {
    EXPECT_EQ(describe_instances_params({{"instance-state-name", {"running"}}, {"tag:role", {"web", "api"}}},
                                        5, "tok"),
              (Params{{"Filter.1.Name", "instance-state-name"},
                      {"Filter.1.Value.1", "running"},
                      {"Filter.2.Name", "tag:role"},
                      {"Filter.2.Value.1", "web"},
                      {"Filter.2.Value.2", "api"},
                      {"MaxResults", "5"},
                      {"NextToken", "tok"}}));
}

TEST(Ec2, ReadsPagesUntilTheLastToken) {
    std::deque<std::string> pages = {
        page({instance_xml("i-2", "running", "10.0.1.12", "", {{"role", "web"}})}, "t1"),
        page({instance_xml("i-1", "running", "10.0.1.11", "3.3.3.1", {{"role", "web"}, {"env", "prod"}})},
             "t2"),
        page({}, "")};
    std::vector<std::string> bodies;
    QueryOptions o;
    o.transport = [&](http::Request r) {
        bodies.push_back(r.body);
        http::Response resp;
        resp.status = 200;
        resp.body = pages.front();
        pages.pop_front();
        return resp;
    };
    QueryClient ec2(
        kEc2, "eu-west-1", "http://ec2.test",
        [] {
            Credentials c;
            c.access_key_id = "AKID";
            c.secret_access_key = Secret("s");
            return c;
        },
        o);
    auto all = describe_instances(ec2, {{"tag:role", {"web"}}}, 5);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].id, "i-1");
    EXPECT_EQ(all[1].public_ip, "3.3.3.1");
    EXPECT_EQ(all[1].tags.at("env"), "prod");
    ASSERT_EQ(bodies.size(), 3u);
    EXPECT_EQ(bodies[0],
              "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Arole&Filter.1.Value.1=web&"
              "MaxResults=5");
    EXPECT_EQ(bodies[2],
              "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Arole&Filter.1.Value.1=web&"
              "MaxResults=5&NextToken=t2");
}

config::Pipeline ec2_pipeline(const std::string& address = "private") {
    auto r = test::load(
        "service: web\nimage: r.example.com/web\nssh: {user: ec2-user, port: 2222}\n"
        "hosts:\n  ec2: {region: eu-west-1, tags: {role: web, env: prod}, address: " +
        address + "}\n");
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

TEST(Ec2Hosts, RunningAndEveryTagSortedWithIds) {
    std::vector<Instance> in = {
        {"i-3", "running", "10.0.1.13", "", {{"role", "web"}, {"env", "prod"}}},
        {"i-1", "running", "10.0.1.2", "", {{"role", "web"}, {"env", "prod"}, {"x", "y"}}},
        {"i-4", "stopped", "10.0.1.14", "", {{"role", "web"}, {"env", "prod"}}},
        {"i-5", "running", "10.0.1.15", "", {{"role", "web"}, {"env", "staging"}}},
        {"i-6", "running", "10.0.1.16", "", {{"role", "web"}}},
    };
    auto hosts = hosts_from_instances(ec2_pipeline(), in, "eu-west-1");
    ASSERT_EQ(hosts.size(), 2u);
    EXPECT_EQ(hosts[0].address, "10.0.1.13");  // string order, deterministic
    EXPECT_EQ(hosts[0].instance_id, "i-3");
    EXPECT_EQ(hosts[1].address, "10.0.1.2");
    EXPECT_EQ(hosts[0].user, "ec2-user");
    EXPECT_EQ(hosts[0].port, 2222);
}

TEST(Ec2Hosts, PublicAddressesAndMissingOnes) {
    std::vector<Instance> in = {
        {"i-1", "running", "10.0.1.11", "3.3.3.1", {{"role", "web"}, {"env", "prod"}}}};
    EXPECT_EQ(hosts_from_instances(ec2_pipeline("public"), in, "eu-west-1")[0].address, "3.3.3.1");
    in[0].public_ip.clear();
    try {
        hosts_from_instances(ec2_pipeline("public"), in, "eu-west-1");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "EC2 instance i-1 (tags env=prod, role=web) has no public IP address; use "
                  "hosts.ec2.address: private");
    }
}

TEST(Ec2Hosts, NoneIsAnError) {
    try {
        hosts_from_instances(ec2_pipeline(), {}, "eu-west-1");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "no running EC2 instance in eu-west-1 has the tags env=prod, role=web "
                  "(hosts.ec2 at hoist.yml:5:3)");
    }
}

}  // namespace
}  // namespace hoist::aws
