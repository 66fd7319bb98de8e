// The ALB driver in blue/green mode: registration per colour, the one-call listener switch, canary.
#include <gtest/gtest.h>

#include "fake_elbv2.hpp"
#include "lb/alb.hpp"

namespace hoist::lb {
namespace {

using namespace std::chrono_literals;
const std::string kBlue = "arn:tg/blue", kGreen = "arn:tg/green", kListener = "arn:listener/1";

struct BlueGreen : ::testing::Test {
    std::shared_ptr<test::FakeElbv2> api = std::make_shared<test::FakeElbv2>();
    std::vector<long long> sleeps;
    std::vector<std::string> logs;

    void SetUp() override {
        api->add_group(kBlue, "ip");
        api->add_group(kGreen, "ip", {});  // not used by the load balancer yet
        api->add_target(kBlue, "10.0.1.11", 8081);
        api->add_target(kBlue, "10.0.1.12", 8081);
        api->listener = {kListener, "arn:lb", "HTTP", 80, {"forward"}, {{kBlue, 1}}};
    }
    AlbBalancer driver(std::vector<int> canary = {}) {
        AlbOptions o;
        o.region = "eu-west-1";
        o.listener_arn = kListener;
        o.blue_group = kBlue;
        o.green_group = kGreen;
        o.blue_port = 8081;
        o.green_port = 8082;
        o.canary = canary;
        o.canary_pause = 5000ms;
        return AlbBalancer(
            api, o,
            [this](std::chrono::milliseconds d) {
                sleeps.push_back(d.count());
                return true;
            },
            [this](const std::string& l) { logs.push_back(l); });
    }
    static Pool colour(int port, bool enabled) {
        return {{"10.0.1.11", port, enabled, ""}, {"10.0.1.12", port, enabled, ""}};
    }
    std::vector<std::string> modifies() const {
        std::vector<std::string> out;
        for (const auto& c : api->calls)
            if (c.rfind("ModifyListener", 0) == 0) out.push_back(c);
        return out;
    }
    std::size_t index_of(const std::string& prefix) const {
        for (std::size_t i = 0; i < api->calls.size(); ++i)
            if (api->calls[i].rfind(prefix, 0) == 0) return i;
        return std::string::npos;
    }
};

TEST_F(BlueGreen, SwitchRegistersAttachesWaitsThenSwitchesInOneCall) {
    auto d = driver();
    d.apply(colour(8082, true));
    EXPECT_EQ(modifies(), (std::vector<std::string>{
                              "ModifyListener " + kListener + " " + kBlue + "=1," + kGreen + "=0",
                              "ModifyListener " + kListener + " " + kGreen + "=1," + kBlue + "=0"}));
    // Registered, then attached with weight 0, then healthy, then switched.
    std::size_t reg = index_of("RegisterTargets " + kGreen), attach = index_of("ModifyListener");
    std::size_t last_health = 0;
    for (std::size_t i = 0; i < api->calls.size(); ++i)
        if (api->calls[i].rfind("DescribeTargetHealth " + kGreen, 0) == 0) last_health = i;
    EXPECT_LT(reg, attach);
    EXPECT_LT(attach, last_health);
    EXPECT_LT(last_health, api->calls.size() - 1);
    EXPECT_EQ(api->state_of(kGreen, "10.0.1.11"), "healthy");
    EXPECT_EQ(api->state_of(kBlue, "10.0.1.11"), "healthy");  // the old colour stays registered
    auto seen = d.observe();
    ASSERT_TRUE(seen);
    EXPECT_EQ(describe(*seen), "10.0.1.11:8082, 10.0.1.12:8082");
}

TEST_F(BlueGreen, TwoPhaseRegisterFirstThenSwitch) {
    auto d = driver();
    d.apply(colour(8082, false));  // known, no traffic
    EXPECT_EQ(api->count("RegisterTargets " + kGreen + " 10.0.1.11:8082,10.0.1.12:8082"), 1);
    EXPECT_EQ(api->count("ModifyListener"), 0);
    EXPECT_EQ(api->count("DescribeListeners"), 0);
    api->groups[kGreen].info.load_balancer_arns = {"arn:lb"};  // used through a rule, say
    d.wait_healthy(colour(8082, true), 60000ms);
    Pool both = colour(8082, true);
    for (auto& m : colour(8081, false)) both.push_back(m);
    d.apply(both);
    EXPECT_EQ(modifies(),
              std::vector<std::string>{"ModifyListener " + kListener + " " + kGreen + "=1," + kBlue + "=0"});
    EXPECT_EQ(api->count("DeregisterTargets"), 0);  // blue's disabled members stay registered
}

TEST_F(BlueGreen, AlreadyServingChangesNothing) {
    auto d = driver();
    d.apply(colour(8081, true));
    EXPECT_EQ(api->count("ModifyListener"), 0);
    EXPECT_EQ(api->count("RegisterTargets"), 0);
}

TEST_F(BlueGreen, DisabledMemberOfTheServingColourIsDeregistered) {
    auto d = driver();
    d.apply({{"10.0.1.11", 8081, true, ""}, {"10.0.1.12", 8081, false, ""}});
    EXPECT_EQ(api->count("DeregisterTargets " + kBlue + " 10.0.1.12:8081"), 1);
}

TEST_F(BlueGreen, BothColoursEnabledIsRefused) {
    auto d = driver();
    Pool p = colour(8081, true);
    p.push_back({"10.0.1.11", 8082, true, ""});
    EXPECT_THROW(d.apply(p), Error);
    EXPECT_THROW(d.apply({{"10.0.1.11", 9999, true, ""}}), Error);
    EXPECT_EQ(api->count("RegisterTargets"), 0);
}

TEST_F(BlueGreen, UnhealthyNewColourIsNeverSwitchedTo) {
    api->verdict["10.0.1.12"] = "unhealthy";
    auto d = driver();
    try {
        d.apply(colour(8082, true));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find("10.0.1.12:8082 failed the ALB health checks of target group green"),
            std::string::npos)
            << e.what();
    }
    EXPECT_EQ(modifies(),
              std::vector<std::string>{"ModifyListener " + kListener + " " + kBlue + "=1," + kGreen + "=0"});
    EXPECT_EQ(api->listener.forward[0], (aws::WeightedGroup{kBlue, 1}));
}

TEST_F(BlueGreen, CanarySteps) {
    auto d = driver({10, 50});
    d.apply(colour(8082, true));
    EXPECT_EQ(modifies(), (std::vector<std::string>{
                              "ModifyListener " + kListener + " " + kBlue + "=1," + kGreen + "=0",
                              "ModifyListener " + kListener + " " + kGreen + "=10," + kBlue + "=90",
                              "ModifyListener " + kListener + " " + kGreen + "=50," + kBlue + "=50",
                              "ModifyListener " + kListener + " " + kGreen + "=1," + kBlue + "=0"}));
    EXPECT_EQ(std::count(sleeps.begin(), sleeps.end(), 5000), 2);
}

TEST_F(BlueGreen, CanaryTurningUnhealthyReturnsTrafficToTheOldColour) {
    auto d = driver({10, 50});
    api->on_call = [this](const std::string& call) {  // the second green target fails once it gets traffic
        if (call.find(kGreen + "=10,") == std::string::npos) return;
        for (auto& t : api->groups[kGreen].targets)
            if (t.target.id == "10.0.1.12") t.state = "unhealthy";
    };
    try {
        d.apply(colour(8082, true));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "canary at 10%: 10.0.1.12:8082 is unhealthy (Target.ResponseCodeMismatch"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(modifies(), (std::vector<std::string>{
                              "ModifyListener " + kListener + " " + kBlue + "=1," + kGreen + "=0",
                              "ModifyListener " + kListener + " " + kGreen + "=10," + kBlue + "=90",
                              "ModifyListener " + kListener + " " + kBlue + "=1," + kGreen + "=0"}));
    EXPECT_EQ(logs.back(), "alb: canary failed: all traffic back to target group blue");
}

TEST_F(BlueGreen, NonForwardDefaultActionIsRefused) {
    api->listener.action_types = {"authenticate-oidc", "forward"};
    auto d = driver();
    try {
        d.apply(colour(8082, true));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("default actions are [authenticate-oidc, forward]"),
                  std::string::npos);
    }
    EXPECT_EQ(api->count("ModifyListener"), 0);
}

TEST_F(BlueGreen, WaitDrainedForAnUnroutedColourWaitsTheLimit) {
    auto d = driver();
    d.apply(colour(8082, true));
    sleeps.clear();
    d.wait_drained(colour(8081, true), 3000ms);
    ASSERT_EQ(sleeps.size(), 1u);
    EXPECT_GT(sleeps[0], 2900);
}

}  // namespace
}  // namespace hoist::lb
