#include <gtest/gtest.h>

#include "registry/challenge.hpp"

using namespace hoist::registry;

TEST(Challenge, BearerWithQuotedParams) {
    auto all = parse_challenges(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push")");
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].scheme, "bearer");
    EXPECT_EQ(all[0].param("realm"), "https://auth.docker.io/token");
    EXPECT_EQ(all[0].param("service"), "registry.docker.io");
    EXPECT_EQ(all[0].param("scope"), "repository:library/busybox:pull,push");
}

TEST(Challenge, SeveralChallengesAndBareTokensAndEscapes) {
    auto all = parse_challenges(R"(Basic realm="a \"quoted\" realm", Bearer realm=http://10.0.0.1:5003/token , service=svc)");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].scheme, "basic");
    EXPECT_EQ(all[0].param("realm"), "a \"quoted\" realm");
    EXPECT_EQ(all[1].scheme, "bearer");
    EXPECT_EQ(all[1].param("realm"), "http://10.0.0.1:5003/token");
    EXPECT_EQ(all[1].param("service"), "svc");
    ASSERT_TRUE(find_challenge(all, "Bearer"));
    EXPECT_FALSE(find_challenge(all, "digest"));
}

TEST(Challenge, CaseInsensitiveSchemeAndKeys) {
    auto all = parse_challenges(R"(BEARER Realm="r", Error="insufficient_scope")");
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].param("realm"), "r");
    EXPECT_EQ(all[0].param("error"), "insufficient_scope");
}

TEST(Challenge, EmptyAndGarbage) {
    EXPECT_TRUE(parse_challenges("").empty());
    auto all = parse_challenges("Basic");
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].params.empty());
}

TEST(Scope, PushAsksPushAndPullThenMountSourcesPull) {
    auto s = push_scopes("acme/web", {"acme/base", "acme/web", "acme/base"});
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0], "repository:acme/web:pull,push");
    EXPECT_EQ(s[1], "repository:acme/base:pull");
}

TEST(Scope, ChallengeScopeAddedOnlyWhenNotCovered) {
    auto s = push_scopes("acme/web", {}, "repository:acme/web:push");
    EXPECT_EQ(s.size(), 1u);
    s = push_scopes("acme/web", {}, "repository:acme/web:delete repository:other:pull");
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[1], "repository:acme/web:delete");
    EXPECT_EQ(s[2], "repository:other:pull");
    EXPECT_EQ(pull_scopes("library/busybox")[0], "repository:library/busybox:pull");
}

// found by tests/fuzz/www_authenticate_fuzz.cpp: a scope without ':' threw std::out_of_range
TEST(Scope, ChallengeScopeWithoutActionsIsKeptWithoutThrowing) {
    auto s = merge_scopes({"repository:acme/web:pull,push"}, "ll repository:acme/web:pull registry:catalog:*");
    EXPECT_EQ(s, (std::vector<std::string>{"repository:acme/web:pull,push", "ll", "registry:catalog:*"}));
    EXPECT_NO_THROW(merge_scopes({"x"}, "xy:z x"));
}
