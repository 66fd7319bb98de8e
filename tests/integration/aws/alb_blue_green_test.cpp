// The ALB driver's blue/green switch and canary steps with real containers and real traffic
// through nginx, which the local endpoint routes exactly as the listener's forward action says.
#include <future>
#include <random>
#include <set>
#include <thread>

#include "aws_fixture.hpp"
#include "lb/alb.hpp"

namespace hoist::aws::itest {
namespace {

using namespace std::chrono;
constexpr int kBlue = 18181, kGreen = 18182;

nlohmann::json bg_seed(const AwsFleet& f) {
    auto s = base_seed();
    nlohmann::json blue = nlohmann::json::array();
    for (const auto& h : f.hosts) blue.push_back({{"id", h.address}, {"port", kBlue}, {"state", "healthy"}});
    auto group = [](const std::string& name, int port, nlohmann::json targets) {
        return nlohmann::json{{"arn", arn("targetgroup", name)},
                              {"port", port},
                              {"deregistration_delay_s", 2},
                              {"health_check_path", "/healthz"},
                              {"targets", targets}};
    };
    s["target_groups"] = {group("web-blue/1", kBlue, blue),
                          group("web-green/2", kGreen, nlohmann::json::array())};
    s["load_balancers"] = {
        {{"arn", arn("loadbalancer", "app/web/1")},
         {"listeners",
          {{{"arn", arn("listener", "app/web/1/1")},
            {"port", 80},
            {"default_actions",
             {{{"type", "forward"}, {"target_group_arn", arn("targetgroup", "web-blue/1")}}}}}}}}};
    s["nginx_listener"] = arn("listener", "app/web/1/1");
    return s;
}

lb::AlbOptions bg_options(std::vector<int> canary = {}) {
    lb::AlbOptions o;
    o.region = kRegion;
    o.listener_arn = arn("listener", "app/web/1/1");
    o.blue_group = arn("targetgroup", "web-blue/1");
    o.green_group = arn("targetgroup", "web-green/2");
    o.blue_port = kBlue;
    o.green_port = kGreen;
    o.canary = std::move(canary);
    o.canary_pause = milliseconds(2000);
    o.poll_interval = milliseconds(200);
    o.switch_health_limit = seconds(20);
    return o;
}

lb::Pool colour(const AwsFleet& f, int port) {
    lb::Pool p;
    for (const auto& h : f.hosts) p.push_back({h.address, port, true, ""});
    return p;
}

lb::Sleeper real_sleep() {
    return [](milliseconds d) {
        std::this_thread::sleep_for(d);
        return true;
    };
}

/// `n` answers through nginx. Random gaps between them: nginx's round robin is deterministic, and
/// requests in lockstep with loadgen's can otherwise land on the same colour every time.
std::multiset<std::string> sample(const AwsFleet& f, int n) {
    static std::mt19937 rng{std::random_device{}()};
    std::multiset<std::string> seen;
    for (int i = 0; i < n; ++i) {
        seen.insert(http_get(f.nginx_url + "/version"));
        std::this_thread::sleep_for(microseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
    }
    return seen;
}

void expect_clean(const nlohmann::json& r) {
    EXPECT_GT(r.value("requests", 0), 50) << r.dump();
    EXPECT_EQ(r.value("non2xx", -1), 0) << r.dump();
    EXPECT_EQ(r.value("socket_errors", -1), 0) << r.dump();
}

class AlbBlueGreen : public AwsFleetTest {};

TEST_F(AlbBlueGreen, ListenerSwitchInOneCallWithZeroFailedRequests) {
    Containers apps;
    for (const auto& h : f().hosts) {
        apps.run(h, "hoist-aws-it-blue", kBlue, f().image_v1);
        apps.run(h, "hoist-aws-it-green", kGreen, f().image_v2);
    }
    ASSERT_FALSE(HasFailure());
    FakeAws fake("bg", bg_seed(f()));
    lb::AlbBalancer alb(elbv2(fake.endpoint()), bg_options(), real_sleep(), nullptr);
    EXPECT_EQ(alb.observe(), colour(f(), kBlue));
    EXPECT_EQ(sample(f(), 4), (std::multiset<std::string>{"v1", "v1", "v1", "v1"}));

    Loadgen load(f().nginx_url, {"-c", "4", "--slow", "2", "--slow-path", "/cgi-bin/slow?1"});
    alb.apply(colour(f(), kGreen));  // registers green, waits for the ALB's checks, switches
    EXPECT_EQ(alb.observe(), colour(f(), kGreen));
    std::this_thread::sleep_for(milliseconds(300));  // nginx's reload is asynchronous
    EXPECT_EQ(sample(f(), 6), (std::multiset<std::string>{"v2", "v2", "v2", "v2", "v2", "v2"}));
    alb.wait_drained(colour(f(), kBlue), milliseconds(1200));  // in-flight slow requests to blue finish
    auto r = load.stop();
    expect_clean(r);
    EXPECT_GT(r["versions"].value("v1", 0), 0) << r.dump();
    EXPECT_GT(r["versions"].value("v2", 0), 0) << r.dump();
    std::printf("[ measured ] blue/green ALB switch through nginx: %s\n", r.dump().c_str());

    // One ModifyListener to attach green (weight 0, so the ALB health-checks it), ONE to switch.
    std::string log = fake.log();
    std::size_t modifies = 0;
    for (std::size_t at = log.find("ModifyListener -> 200"); at != std::string::npos;
         at = log.find("ModifyListener -> 200", at + 1))
        ++modifies;
    EXPECT_EQ(modifies, 2u) << log;

    // Switching back is one more call: green stayed attached, blue stayed registered and healthy.
    alb.apply(colour(f(), kBlue));
    EXPECT_EQ(alb.observe(), colour(f(), kBlue));
    std::this_thread::sleep_for(milliseconds(300));
    EXPECT_EQ(sample(f(), 4), (std::multiset<std::string>{"v1", "v1", "v1", "v1"}));
}

TEST_F(AlbBlueGreen, CanaryStepsShareTrafficThenSwitch) {
    Containers apps;
    for (const auto& h : f().hosts) {
        apps.run(h, "hoist-aws-it-blue", kBlue, f().image_v1);
        apps.run(h, "hoist-aws-it-green", kGreen, f().image_v2);
    }
    ASSERT_FALSE(HasFailure());
    FakeAws fake("bg", bg_seed(f()));
    std::vector<std::string> log;
    std::mutex log_mutex;
    lb::AlbBalancer alb(elbv2(fake.endpoint()), bg_options({50}), real_sleep(), [&](const std::string& l) {
        std::lock_guard<std::mutex> lock(log_mutex);
        log.push_back(l);
    });
    Loadgen load(f().nginx_url, {"-c", "4"});
    auto switching = std::async(std::launch::async, [&] { alb.apply(colour(f(), kGreen)); });
    // Sample while the 50% step holds (2 s), from the moment its ModifyListener returned (the
    // endpoint answers once nginx routes the new weights): both colours answer.
    std::multiset<std::string> during;
    bool sampled_in_step = false;
    auto modifies = [&] {
        std::string l = fake.log();
        std::size_t n = 0;
        for (auto at = l.find("ModifyListener -> 200"); at != std::string::npos;
             at = l.find("ModifyListener -> 200", at + 1))
            ++n;
        return n;
    };
    for (int i = 0; i < 500 && switching.wait_for(milliseconds(0)) != std::future_status::ready; ++i) {
        if (modifies() == 2) {  // the weight-0 attach, then the 50% step
            during = sample(f(), 40);
            sampled_in_step = modifies() == 2;
            break;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    switching.get();
    EXPECT_TRUE(sampled_in_step) << "could not sample within the 50% step";
    ASSERT_EQ(log.size(), 4u);  // register, attach with weight 0, 50%, switch
    EXPECT_EQ(log[2], "alb: canary: 50% of new requests to target group web-green");
    EXPECT_EQ(log[3], "alb: switch the listener to target group web-green in one ModifyListener call");
    EXPECT_GT(during.count("v1"), 5u) << "no v1 during the 50% step";
    EXPECT_GT(during.count("v2"), 5u) << "no v2 during the 50% step";
    std::this_thread::sleep_for(milliseconds(300));
    EXPECT_EQ(sample(f(), 6).count("v2"), 6u);
    auto r = load.stop();
    expect_clean(r);
    std::printf("[ measured ] canary 50%% then 100%%: %zu v1 / %zu v2 of %zu sampled at 50%%; load %s\n",
                during.count("v1"), during.count("v2"), during.size(), r.dump().c_str());
}

}  // namespace
}  // namespace hoist::aws::itest
