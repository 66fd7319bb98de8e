// The ALB and EC2 keys: region may come from the environment, canary steps and their checks.
#include <gtest/gtest.h>

#include "../test_support.hpp"

using hoist::test::load;
using hoist::test::messages;

namespace {
const char* kBlueGreen = R"(service: web
image: registry.example.com/acme/web
hosts: [10.0.1.11, 10.0.1.12]
strategy: {type: blue_green}
load_balancer:
  type: alb
  listener_arn: arn:l
  target_groups: {blue: arn:b, green: arn:g}
)";
}

TEST(AlbSettings, RegionIsOptional) {
    auto r = load(kBlueGreen);
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.pipeline.load_balancer.region, "");
    auto e = load("service: web\nimage: r.example.com/web\nhosts:\n  ec2: {tags: {role: web}}\n");
    ASSERT_TRUE(e.ok()) << messages(e);
    EXPECT_EQ(e.pipeline.ec2->region, "");
    EXPECT_EQ(e.pipeline.ec2->address, "private");
}

TEST(AlbSettings, CanarySteps) {
    auto r = load(std::string(kBlueGreen) + "  canary: [10, \"50%\"]\n  canary_pause: 45s\n");
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.pipeline.load_balancer.canary, (std::vector<int>{10, 50}));
    EXPECT_EQ(r.pipeline.load_balancer.canary_pause, std::chrono::seconds(45));
    EXPECT_EQ(load(kBlueGreen).pipeline.load_balancer.canary_pause, std::chrono::seconds(30));
}

TEST(AlbSettings, CanaryMustIncreaseBelowHundred) {
    auto r = load(std::string(kBlueGreen) + "  canary: [50, 10]\n");
    EXPECT_EQ(messages(r), "hoist.yml:9:16: 'load_balancer.canary' must be increasing percentages between 1 and 99 "
                           "(the last step, 100, is implied); got '10'\n");
    r = load(std::string(kBlueGreen) + "  canary: [100]\n");
    EXPECT_FALSE(r.ok());
    r = load(std::string(kBlueGreen) + "  canary: [ten]\n");
    EXPECT_FALSE(r.ok());
}

TEST(AlbSettings, CanaryNeedsAlbBlueGreen) {
    auto r = load("service: web\nimage: r.example.com/web\nhosts: [10.0.1.11, 10.0.1.12]\n"
                  "load_balancer: {type: alb, target_group_arn: arn:t, canary: [10]}\n");
    EXPECT_EQ(messages(r), "hoist.yml:4:61: 'load_balancer.canary' (weighted traffic steps) needs load_balancer type "
                           "alb and strategy blue_green\n");
}
