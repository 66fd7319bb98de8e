#include <gtest/gtest.h>

#include "../test_support.hpp"

using hoist::test::load;
using hoist::test::messages;

namespace {
const char* kStaged = R"(service: web
image: registry.example.com/acme/web
hosts: [10.0.1.11, 10.0.1.12]
container:
  env: {APP_ENV: production, LOG: info}
  port: 8080
stages:
  staging:
    hosts: [10.0.2.11]
    container:
      env: {APP_ENV: staging}
  broken:
    container:
      prot: 1
)";
}

TEST(Stages, DeepMergeMapsAndReplaceLists) {
    auto r = load(kStaged, {}, "staging");
    ASSERT_TRUE(r.ok()) << messages(r);
    const auto& p = r.pipeline;
    ASSERT_EQ(p.hosts.size(), 1u);
    EXPECT_EQ(p.hosts[0].address, "10.0.2.11");
    EXPECT_EQ(p.container.env.at("APP_ENV"), "staging");
    EXPECT_EQ(p.container.env.at("LOG"), "info");  // merged, not replaced
    EXPECT_EQ(p.container.port, 8080);
    EXPECT_EQ(p.where("hosts").line, 9);  // the value's location comes from the overlay
    EXPECT_EQ(p.stages, (std::vector<std::string>{"staging", "broken"}));
}

TEST(Stages, NoStageUsesTopLevel) {
    auto r = load(kStaged);
    ASSERT_TRUE(r.ok()) << messages(r);
    EXPECT_EQ(r.pipeline.hosts.size(), 2u);
    EXPECT_EQ(r.pipeline.container.env.at("APP_ENV"), "production");
}

TEST(Stages, ErrorsInsideTheOverlayPointAtTheOverlay) {
    auto r = load(kStaged, {}, "broken");
    EXPECT_EQ(messages(r), "hoist.yml:14:7: unknown key 'prot' in 'container' (did you mean 'port'?)\n");
}

TEST(Stages, UnknownStageSuggests) {
    auto r = load(kStaged, {}, "stagin");
    EXPECT_EQ(messages(r), "hoist.yml:8:3: unknown stage 'stagin' (did you mean 'staging'?)\n");
    r = load(kStaged, {}, "production");
    EXPECT_EQ(messages(r), "hoist.yml:8:3: unknown stage 'production'; the file defines: staging, broken\n");
}

TEST(Stages, UnsetVariablesOfOtherStagesDoNotMatter) {
    std::string text = std::string(kStaged) + "  prod:\n    tag: ${PROD_TAG}\n";
    EXPECT_TRUE(load(text, {}, "staging").ok());
    auto r = load(text, {}, "prod");
    EXPECT_EQ(messages(r), "hoist.yml:16:10: variable 'PROD_TAG' is not set (give a default with ${PROD_TAG:-value})\n");
}

TEST(HostsFlag, RestrictsToNamedHosts) {
    auto r = load(kStaged, {}, "", {"10.0.1.12"});
    ASSERT_TRUE(r.ok()) << messages(r);
    ASSERT_EQ(r.pipeline.hosts.size(), 1u);
    EXPECT_EQ(r.pipeline.hosts[0].address, "10.0.1.12");
    r = load(kStaged, {}, "", {"10.9.9.9"});
    EXPECT_EQ(messages(r), "hoist.yml: --hosts names '10.9.9.9', which is not a host of this pipeline\n");
}
