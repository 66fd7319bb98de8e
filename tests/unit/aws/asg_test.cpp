// Auto Scaling with a scripted transport: the group's InService instances as hosts (paged), the
// process parameters, and AWS's errors.
#include <gtest/gtest.h>

#include <deque>

#include "deploy/aws_hosts.hpp"
#include "../test_support.hpp"
#include "aws/asg.hpp"
#include "aws/error.hpp"

namespace hoist::aws {
using deploy::resolve_asg_hosts;

namespace {

http::Response answer(long status, std::string body) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::string group_xml(const std::string& name, const std::string& instances,
                      const std::string& suspended = "") {
    return "<member><AutoScalingGroupName>" + name + "</AutoScalingGroupName><Instances>" + instances +
           "</Instances><SuspendedProcesses>" + suspended + "</SuspendedProcesses></member>";
}
std::string instance_xml(const std::string& id, const std::string& state) {
    return "<member><InstanceId>" + id +
           "</InstanceId><AvailabilityZone>eu-west-1a</AvailabilityZone><LifecycleState>" + state +
           "</LifecycleState><HealthStatus>Healthy</HealthStatus></member>";
}
std::string page(const std::string& groups, const std::string& next = "") {
    return "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
           "<DescribeAutoScalingGroupsResult><AutoScalingGroups>" +
           groups + "</AutoScalingGroups>" + (next.empty() ? "" : "<NextToken>" + next + "</NextToken>") +
           "</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
           "</DescribeAutoScalingGroupsResponse>";
}
std::string ec2_instance(const std::string& id, const std::string& ip, const std::string& state = "running") {
    return "<item><instanceId>" + id + "</instanceId><instanceState><name>" + state +
           "</name></instanceState>"
           "<privateIpAddress>" +
           ip + "</privateIpAddress></item>";
}
std::string ec2_page(const std::string& items) {
    return "<DescribeInstancesResponse><reservationSet><item><instancesSet>" + items +
           "</instancesSet></item></reservationSet></DescribeInstancesResponse>";
}

struct Scripted {
    std::deque<http::Response> answers;
    std::vector<http::Request> sent;
    ChainOptions chain() {
        ChainOptions c;
        c.env = [](const std::string& n) -> std::optional<std::string> {
            if (n == "AWS_ACCESS_KEY_ID") return std::string("AKIDEXAMPLE");
            if (n == "AWS_SECRET_ACCESS_KEY") return std::string("secret");
            if (n == "AWS_ENDPOINT_URL") return std::string("http://10.0.0.1:4566");
            return std::nullopt;
        };
        return c;
    }
    QueryOptions query() {
        QueryOptions o;
        o.transport = [this](http::Request r) {
            sent.push_back(r);
            auto a = answers.front();
            answers.pop_front();
            return a;
        };
        o.sleep = [](std::chrono::milliseconds) {};
        return o;
    }
};

config::Pipeline pipeline(const std::string& address = "private") {
    auto r = test::load(
        "service: web\nimage: r.example.com/web\nssh: {user: ec2-user}\n"
        "hosts: [{ asg: { name: web-asg, region: eu-west-1, address: " +
        address + " } }]\n");
    EXPECT_TRUE(r.ok()) << test::messages(r);
    return r.pipeline;
}

TEST(Asg, Params) {
    EXPECT_EQ(
        describe_groups_params({"web-asg"}, 50, "tok"),
        (Params{{"AutoScalingGroupNames.member.1", "web-asg"}, {"MaxRecords", "50"}, {"NextToken", "tok"}}));
    EXPECT_EQ(processes_params("web-asg", rollout_processes()),
              (Params{{"AutoScalingGroupName", "web-asg"},
                      {"ScalingProcesses.member.1", "Launch"},
                      {"ScalingProcesses.member.2", "Terminate"},
                      {"ScalingProcesses.member.3", "AZRebalance"},
                      {"ScalingProcesses.member.4", "ReplaceUnhealthy"}}));
}

TEST(Asg, ReadsGroups) {
    std::string next;
    auto groups = read_groups(
        parse_xml(
            page(group_xml("web-asg", instance_xml("i-1", "InService") + instance_xml("i-2", "Pending"),
                           "<member><ProcessName>AZRebalance</ProcessName><SuspensionReason>User suspended"
                           "</SuspensionReason></member>"),
                 "NEXT")),
        next);
    EXPECT_EQ(next, "NEXT");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].name, "web-asg");
    ASSERT_EQ(groups[0].instances.size(), 2u);
    EXPECT_EQ(groups[0].instances[1].id, "i-2");
    EXPECT_EQ(groups[0].instances[1].lifecycle_state, "Pending");
    EXPECT_EQ(groups[0].instances[0].zone, "eu-west-1a");
    EXPECT_EQ(groups[0].suspended, (std::vector<std::string>{"AZRebalance"}));
}

TEST(Asg, InServiceInstancesAcrossPagesBecomeHosts) {
    Scripted s;
    s.answers.push_back(answer(200, page(group_xml("other", ""), "P2")));
    s.answers.push_back(answer(
        200,
        page(group_xml("web-asg", instance_xml("i-b", "InService") + instance_xml("i-a", "InService") +
                                      instance_xml("i-c", "Terminating") + instance_xml("i-d", "Pending")))));
    s.answers.push_back(
        answer(200, ec2_page(ec2_instance("i-a", "10.0.0.12") + ec2_instance("i-b", "10.0.0.11"))));
    auto hosts = resolve_asg_hosts(pipeline(), s.chain(), s.query());
    ASSERT_EQ(hosts.size(), 2u);
    EXPECT_EQ(hosts[0].address + " " + hosts[0].instance_id + " " + hosts[0].user, "10.0.0.11 i-b ec2-user");
    EXPECT_EQ(hosts[1].address + " " + hosts[1].instance_id, "10.0.0.12 i-a");
    ASSERT_EQ(s.sent.size(), 3u);
    EXPECT_NE(s.sent[1].body.find("NextToken=P2"), std::string::npos) << s.sent[1].body;
    EXPECT_NE(s.sent[0].body.find(
                  "Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1="
                  "web-asg"),
              std::string::npos)
        << s.sent[0].body;
    EXPECT_NE(s.sent[2].body.find("Filter.1.Name=instance-id&Filter.1.Value.1=i-b&Filter.1.Value.2=i-a"),
              std::string::npos)
        << s.sent[2].body;
    for (const auto& h : s.sent[0].headers) {
        if (h.rfind("Authorization:", 0) == 0) {
            EXPECT_NE(h.find("/eu-west-1/autoscaling/aws4_request"), std::string::npos);
        }
    }
}

TEST(Asg, NoSuchGroup) {
    Scripted s;
    s.answers.push_back(answer(200, page("")));
    try {
        resolve_asg_hosts(pipeline(), s.chain(), s.query());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "hosts[0].asg: Auto Scaling group 'web-asg': there is no such group in eu-west-1");
    }
}

TEST(Asg, NoInServiceInstance) {
    Scripted s;
    s.answers.push_back(answer(200, page(group_xml("web-asg", instance_xml("i-d", "Pending")))));
    try {
        resolve_asg_hosts(pipeline(), s.chain(), s.query());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(
            std::string(e.what()),
            "hosts[0].asg: Auto Scaling group 'web-asg': the group has no InService instance in eu-west-1 "
            "(i-d Pending)");
    }
}

TEST(Asg, MissingPublicAddress) {
    Scripted s;
    s.answers.push_back(answer(200, page(group_xml("web-asg", instance_xml("i-a", "InService")))));
    s.answers.push_back(answer(200, ec2_page(ec2_instance("i-a", "10.0.0.12"))));
    try {
        resolve_asg_hosts(pipeline("public"), s.chain(), s.query());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "hosts[0].asg: Auto Scaling group 'web-asg': instance i-a has no public IP "
                  "address; use address: private");
    }
}

TEST(Asg, AwsErrorKeepsItsCode) {
    Scripted s;
    s.answers.push_back(answer(
        403,
        "<ErrorResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><Error><Type>Sender</Type>"
        "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to "
        "perform: "
        "autoscaling:DescribeAutoScalingGroups</Message></Error><RequestId>r1</RequestId></ErrorResponse>"));
    try {
        resolve_asg_hosts(pipeline(), s.chain(), s.query());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.aws_code(), "AccessDenied");
        EXPECT_EQ(std::string(e.what()),
                  "hosts[0].asg: Auto Scaling group 'web-asg': autoscaling DescribeAutoScalingGroups at "
                  "http://10.0.0.1:4566: AccessDenied: User: arn:aws:iam::123456789012:user/ci is not "
                  "authorized to "
                  "perform: autoscaling:DescribeAutoScalingGroups (HTTP 403, request id r1)");
    }
}

}  // namespace
}  // namespace hoist::aws
