// The ALB driver's rolling cycle against the local endpoint, with real containers on the fleet
// hosts and real traffic: the endpoint routes nginx exactly as its target group says, so loadgen
// through nginx sees what clients of an ALB would see. 0 failed requests, or the test fails.
#include <thread>

#include "aws_fixture.hpp"
#include "lb/alb.hpp"

namespace hoist::aws::itest {
namespace {

using namespace std::chrono;
constexpr int kPort = 18180;

lb::Sleeper real_sleep() {
    return [](milliseconds d) {
        std::this_thread::sleep_for(d);
        return true;
    };
}

lb::AlbOptions rolling_options() {
    lb::AlbOptions o;
    o.region = kRegion;
    o.target_group_arn = arn("targetgroup", "roll/1");
    o.poll_interval = milliseconds(200);
    o.drain_slack = milliseconds(3000);
    return o;
}

nlohmann::json rolling_seed(const AwsFleet& f, int delay_s, bool registered) {
    auto s = base_seed();
    nlohmann::json targets = nlohmann::json::array();
    if (registered)
        for (const auto& h : f.hosts)
            targets.push_back({{"id", h.address}, {"port", kPort}, {"state", "healthy"}});
    s["target_groups"] = {{{"arn", arn("targetgroup", "roll/1")},
                           {"port", kPort},
                           {"deregistration_delay_s", delay_s},
                           {"health_check_path", "/healthz"},
                           {"matcher", "200-399"},
                           {"targets", targets}}};
    s["load_balancers"] = {
        {{"arn", arn("loadbalancer", "app/roll/1")},
         {"listeners",
          {{{"arn", arn("listener", "app/roll/1/1")},
            {"port", 80},
            {"default_actions",
             {{{"type", "forward"}, {"target_group_arn", arn("targetgroup", "roll/1")}}}}}}}}};
    s["nginx_listener"] = arn("listener", "app/roll/1/1");
    return s;
}

class AlbRolling : public AwsFleetTest {};

TEST_F(AlbRolling, ApplyDrainHealthyCycleWithZeroFailedRequests) {
    Containers apps;
    for (const auto& h : f().hosts) apps.run(h, "hoist-aws-it-roll", kPort, f().image_v1);
    ASSERT_FALSE(HasFailure());
    FakeAws fake("roll", rolling_seed(f(), 2, true));
    std::vector<std::string> log;
    lb::AlbBalancer alb(elbv2(fake.endpoint()), rolling_options(), real_sleep(),
                        [&](const std::string& l) { log.push_back(l); });
    lb::Pool pool;
    for (const auto& h : f().hosts) pool.push_back({h.address, kPort, true, ""});
    ASSERT_EQ(alb.observe(), pool);

    Loadgen load(f().nginx_url, {"-c", "4", "--slow", "2", "--slow-path", "/cgi-bin/slow?1"});
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const auto& h = f().hosts[i];
        pool[i].enabled = false;
        auto t0 = steady_clock::now();
        alb.apply(pool);
        EXPECT_EQ(read_file(f().upstream_file).find(h.address + ":" + std::to_string(kPort)),
                  std::string::npos)
            << "nginx still routes to a deregistered target:\n"
            << read_file(f().upstream_file);
        alb.wait_drained({pool[i]}, seconds(20));
        auto drained = duration_cast<milliseconds>(steady_clock::now() - t0);
        EXPECT_GE(drained.count(), 1900) << "returned before the 2 s deregistration delay";
        EXPECT_LT(drained.count(), 6000) << "waited far past the deregistration delay";
        apps.remove(h, "hoist-aws-it-roll");
        apps.run(h, "hoist-aws-it-roll", kPort, f().image_v2);
        pool[i].enabled = true;
        alb.apply(pool);
        alb.wait_healthy({pool[i]}, seconds(20));
        EXPECT_NE(read_file(f().upstream_file).find(h.address + ":" + std::to_string(kPort)),
                  std::string::npos);
    }
    auto r = load.stop();
    EXPECT_GT(r.value("requests", 0), 100) << r.dump();
    EXPECT_EQ(r.value("non2xx", -1), 0) << r.dump();
    EXPECT_EQ(r.value("socket_errors", -1), 0) << r.dump();
    EXPECT_GT(r["versions"].value("v1", 0), 0) << r.dump();
    EXPECT_GT(r["versions"].value("v2", 0), 0) << r.dump();
    EXPECT_GT(r["slow"].value("ok", 0), 0) << r.dump();
    std::printf("[ measured ] rolling ALB cycle through nginx: %s\n", r.dump().c_str());
    EXPECT_EQ(alb.observe(), pool);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(http_get(f().nginx_url + "/version"), "v2");
    if (HasFailure()) std::printf("fake-aws log:\n%s\n", fake.log().c_str());
}

TEST_F(AlbRolling, UnhealthyTargetIsReportedWithTheAlbsReason) {
    Containers apps;
    apps.run(f().hosts[0], "hoist-aws-it-sick", kPort, f().image_unhealthy);
    ASSERT_FALSE(HasFailure());
    FakeAws fake("roll", rolling_seed(f(), 1, false));
    lb::AlbBalancer alb(elbv2(fake.endpoint()), rolling_options(), real_sleep(), nullptr);
    EXPECT_EQ(alb.observe(), std::nullopt);
    lb::Member sick{f().hosts[0].address, kPort, true, ""};
    alb.apply({sick});
    try {
        alb.wait_healthy({sick}, seconds(20));
        FAIL() << "an app answering 404 on /healthz passed the ALB health checks";
    } catch (const lb::Error& e) {
        EXPECT_NE(
            std::string(e.what()).find(sick.host + ":" + std::to_string(kPort) +
                                       " failed the ALB health checks of target group roll (Target."
                                       "ResponseCodeMismatch: Health checks failed with these codes: [404])"),
            std::string::npos)
            << e.what();
    }
    alb.apply({});                                                        // and take it out again
    EXPECT_EQ(alb.observe(), (lb::Pool{{sick.host, kPort, false, ""}}));  // draining for its 1 s
}

TEST_F(AlbRolling, NoHealthCheckAnswerTimesOut) {
    FakeAws fake("roll", rolling_seed(f(), 1, false));
    lb::AlbBalancer alb(elbv2(fake.endpoint()), rolling_options(), real_sleep(), nullptr);
    lb::Member nobody{f().hosts[1].address, kPort + 7, true, ""};  // nothing listens there
    alb.apply({nobody});
    try {
        alb.wait_healthy({nobody}, seconds(20));
        FAIL();
    } catch (const lb::Error& e) {
        EXPECT_NE(std::string(e.what()).find("(Target.FailedHealthChecks: Health checks failed)"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace hoist::aws::itest
