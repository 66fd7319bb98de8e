#include "util/names.hpp"

#include <gtest/gtest.h>

using namespace hoist;

TEST(Names, Tags) {
    for (const char* ok : {"v1", "1.2.3", "_x", "a-b_c.d", "A"}) EXPECT_TRUE(valid_tag(ok)) << ok;
    for (const char* bad : {"", ".", "..", "-x", ".hidden", "../../srv/app/", "a/b", "a b", "a:b", "é"})
        EXPECT_FALSE(valid_tag(bad)) << bad;
    EXPECT_TRUE(valid_tag(std::string(128, 'a')));
    EXPECT_FALSE(valid_tag(std::string(129, 'a')));
}

TEST(Names, Repositories) {
    for (const char* ok : {"a", "acme/web", "a.b_c__d---e/f0", "library/nginx"}) EXPECT_TRUE(valid_repository(ok)) << ok;
    for (const char* bad : {"", "/a", "a/", "a//b", "A", "a._b", "a___b", "_a", "a-", "a b"})
        EXPECT_FALSE(valid_repository(bad)) << bad;
}

TEST(Names, PlatformsEnvAndServiceNames) {
    for (const char* ok : {"linux/amd64", "linux/arm64/v8", "linux/x86_64"}) EXPECT_TRUE(valid_platform(ok)) << ok;
    for (const char* bad : {"linux", "linux/", "/amd64", "linux/amd64/", "Linux/amd64", "linux/arm/v_7", "a/b/c/d"})
        EXPECT_FALSE(valid_platform(bad)) << bad;
    EXPECT_TRUE(valid_env_name("_A1"));
    EXPECT_FALSE(valid_env_name("1A"));
    EXPECT_FALSE(valid_env_name("A-B"));
    EXPECT_TRUE(valid_service_name("web-1"));
    EXPECT_FALSE(valid_service_name("-web"));
    EXPECT_FALSE(valid_service_name(std::string(64, 'a')));
}
