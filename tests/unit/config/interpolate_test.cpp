#include "config/interpolate.hpp"

#include <gtest/gtest.h>

#include "../test_support.hpp"

using namespace hoist::config;

TEST(Interpolate, SetVariable) {
    auto r = interpolate("v${A}x", hoist::test::env_of({{"A", "1"}}));
    EXPECT_EQ(r.value, "v1x");
    EXPECT_TRUE(r.unset.empty());
}

TEST(Interpolate, DefaultWhenUnsetOrEmpty) {
    auto env = hoist::test::env_of({{"EMPTY", ""}, {"SET", "yes"}});
    EXPECT_EQ(interpolate("${NOPE:-fallback}", env).value, "fallback");
    EXPECT_EQ(interpolate("${EMPTY:-fallback}", env).value, "fallback");
    EXPECT_EQ(interpolate("${SET:-fallback}", env).value, "yes");
    EXPECT_EQ(interpolate("${NOPE:-}", env).value, "");
}

TEST(Interpolate, UnsetWithoutDefaultIsReported) {
    auto r = interpolate("${A}-${B}", hoist::test::env_of({{"A", "x"}}));
    EXPECT_EQ(r.unset, std::vector<std::string>{"B"});
}

TEST(Interpolate, DollarDollarIsLiteral) {
    auto r = interpolate("cost $$5 and $${HOME} and $", hoist::test::env_of({}));
    EXPECT_EQ(r.value, "cost $5 and ${HOME} and $");
    EXPECT_TRUE(r.unset.empty());
}

TEST(Interpolate, MalformedReferences) {
    auto r = interpolate("${A", hoist::test::env_of({}));
    EXPECT_EQ(r.errors, std::vector<std::string>{"unclosed '${' in '${A'"});
    r = interpolate("${1A}", hoist::test::env_of({}));
    EXPECT_EQ(r.errors, std::vector<std::string>{"invalid variable reference '${1A}'"});
}
