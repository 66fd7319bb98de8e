// The ALB driver in rolling mode against the in-memory ELBv2 (fake_elbv2.hpp).
#include <gtest/gtest.h>

#include "fake_elbv2.hpp"
#include "lb/alb.hpp"

namespace hoist::lb {
namespace {

using namespace std::chrono_literals;
const std::string kTg = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1";

struct Rolling : ::testing::Test {
    std::shared_ptr<test::FakeElbv2> api = std::make_shared<test::FakeElbv2>();
    std::vector<long long> sleeps;
    std::vector<std::string> logs;
    bool interrupted = false;

    void SetUp() override {
        api->add_group(kTg, "ip");
        for (const char* h : {"10.0.1.11", "10.0.1.12", "10.0.1.13"}) api->add_target(kTg, h, 8080);
    }
    AlbBalancer driver(AlbOptions o = {}) {
        o.region = "eu-west-1";
        o.target_group_arn = kTg;
        o.poll_interval = 1000ms;
        return AlbBalancer(
            api, o,
            [this](std::chrono::milliseconds d) {
                sleeps.push_back(d.count());
                return !interrupted;
            },
            [this](const std::string& l) { logs.push_back(l); });
    }
    static Pool pool(std::vector<bool> enabled) {
        Pool p;
        const char* hosts[] = {"10.0.1.11", "10.0.1.12", "10.0.1.13"};
        for (std::size_t i = 0; i < enabled.size(); ++i) p.push_back({hosts[i], 8080, enabled[i], ""});
        return p;
    }
};

TEST_F(Rolling, ApplyDeregistersOnlyTheDisabledMember) {
    auto d = driver();
    d.apply(pool({true, false, true}));
    EXPECT_EQ(api->calls,
              (std::vector<std::string>{"DescribeTargetGroups " + kTg, "DescribeTargetHealth " + kTg,
                                        "DeregisterTargets " + kTg + " 10.0.1.12:8080",
                                        "DescribeTargetHealth " + kTg + " 10.0.1.12:8080"}));
    EXPECT_EQ(api->state_of(kTg, "10.0.1.12"), "draining");
    EXPECT_EQ(logs, std::vector<std::string>{"alb: deregister 10.0.1.12:8080 from target group 1"});
}

TEST_F(Rolling, ApplyRegistersNewAndRemovesStaleTargets) {
    api->add_target(kTg, "10.0.1.99", 8080);                               // a host no longer in the pipeline
    api->groups[kTg].targets.erase(api->groups[kTg].targets.begin() + 1);  // 10.0.1.12 not registered
    auto d = driver();
    d.apply(pool({true, true, true}));
    EXPECT_EQ(api->count("RegisterTargets " + kTg + " 10.0.1.12:8080"), 1);
    EXPECT_EQ(api->count("DeregisterTargets " + kTg + " 10.0.1.99:8080"), 1);
    EXPECT_EQ(api->state_of(kTg, "10.0.1.12"), "initial");
}

TEST_F(Rolling, ApplyWithNothingToChangeMakesNoChange) {
    auto d = driver();
    d.apply(pool({true, true, true}));
    EXPECT_EQ(api->count("RegisterTargets"), 0);
    EXPECT_EQ(api->count("DeregisterTargets"), 0);
}

TEST_F(Rolling, WaitDrainedPollsUntilTheTargetIsGone) {
    auto d = driver();
    d.apply(pool({true, false, true}));
    api->calls.clear();
    sleeps.clear();
    d.wait_drained({{"10.0.1.12", 8080, true, ""}}, 60000ms);
    EXPECT_EQ(api->count("DescribeTargetGroupAttributes " + kTg), 1);
    EXPECT_EQ(api->state_of(kTg, "10.0.1.12"), "none");
    EXPECT_EQ(sleeps, (std::vector<long long>{1000}));
    EXPECT_TRUE(logs.size() == 1);  // only the deregistration; no warning: the limit covers the 30 s delay
}

TEST_F(Rolling, WaitDrainedIsBoundedByTheLimitAndSaysSo) {
    api->drain_polls = 1000000;
    auto d = driver();
    d.apply(pool({true, false, true}));
    logs.clear();
    auto start = std::chrono::steady_clock::now();
    d.wait_drained({{"10.0.1.12", 8080, true, ""}},
                   30ms);  // the fake sleeper does not sleep: real time bounds it
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    ASSERT_EQ(logs.size(), 2u);
    EXPECT_EQ(logs[0],
              "alb: target group 1 has a deregistration delay of 30s but hoist waits at most 30ms "
              "(load_balancer.drain_time) before stopping containers: requests longer than that may be cut");
    EXPECT_EQ(logs[1], "alb: target group 1 still draining after 30ms; continuing");
    for (auto s : sleeps) EXPECT_LE(s, 1000);
}

TEST_F(Rolling, WaitHealthyReturnsOnHealthy) {
    api->initial_polls = 2;
    api->groups[kTg].targets.pop_back();
    auto d = driver();
    d.apply(pool({true, true, true}));
    d.wait_healthy({{"10.0.1.13", 8080, true, ""}}, 60000ms);
    EXPECT_EQ(api->state_of(kTg, "10.0.1.13"), "healthy");
}

TEST_F(Rolling, WaitHealthyThrowsTheAlbsReason) {
    api->verdict["10.0.1.13"] = "unhealthy";
    api->groups[kTg].targets.pop_back();
    auto d = driver();
    d.apply(pool({true, true, true}));
    try {
        d.wait_healthy({{"10.0.1.13", 8080, true, ""}}, 60000ms);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "ALB target group " + kTg +
                                             " (eu-west-1): 10.0.1.13:8080 failed the ALB "
                                             "health checks of target group 1 (Target.ResponseCodeMismatch: "
                                             "Health checks failed with these codes: [404])");
    }
}

TEST_F(Rolling, WaitHealthyGivesUpAtTheLimit) {
    api->initial_polls = 1000000;
    api->groups[kTg].targets.pop_back();
    auto d = driver();
    d.apply(pool({true, true, true}));
    try {
        d.wait_healthy({{"10.0.1.13", 8080, true, ""}}, 0ms);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find("not healthy after 0ms in target group 1: 10.0.1.13:8080 initial"),
            std::string::npos)
            << e.what();
    }
}

TEST_F(Rolling, UnusedGroupFailsFastWithTheReason) {
    api->groups[kTg].info.load_balancer_arns.clear();
    auto d = driver();
    try {
        d.wait_healthy({{"10.0.1.11", 8080, true, ""}}, 600000ms);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("10.0.1.11:8080 unused (Target.NotInUse)"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(sleeps.size(), 2u);
}

TEST_F(Rolling, InstanceTargetsUseInstanceIds) {
    api->groups[kTg].info.target_type = "instance";
    api->groups[kTg].targets.clear();
    api->add_target(kTg, "i-1", 8080);
    AlbOptions o;
    o.instance_hosts = {{"i-1", "10.0.1.11"}};
    auto d = driver(o);
    d.apply({{"10.0.1.11", 8080, true, "i-1"}, {"10.0.1.12", 8080, true, "i-2"}});
    EXPECT_EQ(api->count("RegisterTargets " + kTg + " i-2:8080"), 1);
    auto seen = d.observe();
    ASSERT_TRUE(seen);
    EXPECT_EQ((*seen)[0].host, "10.0.1.11");
    EXPECT_EQ((*seen)[0].instance_id, "i-1");
    // The engine's pools carry addresses only: the id comes from the pipeline's EC2 hosts.
    d.apply({{"10.0.1.11", 8080, true, ""}});
    EXPECT_EQ(api->count("DeregisterTargets " + kTg + " i-2:8080"), 1);
    EXPECT_EQ(api->count("RegisterTargets " + kTg + " i-1:8080"), 0);
    try {
        d.apply({{"10.0.1.13", 8080, true, ""}});
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find("has target type instance, but host 10.0.1.13 has no EC2 instance id"),
            std::string::npos);
    }
}

TEST_F(Rolling, ObserveReportsDrainingAsDisabled) {
    auto d = driver();
    d.apply(pool({true, false, true}));
    auto seen = d.observe();
    ASSERT_TRUE(seen);
    EXPECT_EQ(describe(*seen), "10.0.1.11:8080, 10.0.1.12:8080 (down), 10.0.1.13:8080");
    api->groups[kTg].targets.clear();
    EXPECT_EQ(d.observe(), std::nullopt);
}

TEST_F(Rolling, AwsErrorsBecomeLbErrors) {
    api->fail_action = "DeregisterTargets";
    auto d = driver();
    try {
        d.apply(pool({true, false, true}));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "ALB target group " + kTg + " (eu-west-1): not authorized");
    }
}

TEST_F(Rolling, InterruptedWait) {
    auto d = driver();
    d.apply(pool({true, false, true}));
    interrupted = true;
    api->drain_polls = 100;
    EXPECT_THROW(d.wait_drained({{"10.0.1.12", 8080, true, ""}}, 60000ms), Error);
}

}  // namespace
}  // namespace hoist::lb
