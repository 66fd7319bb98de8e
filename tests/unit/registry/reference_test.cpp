#include <gtest/gtest.h>

#include "registry/reference.hpp"
#include "util/error.hpp"

using namespace hoist::registry;

TEST(Reference, RegistryRepositoryTag) {
    auto r = Reference::parse("10.210.0.1:5000/hoist-test/app:v1");
    EXPECT_EQ(r.registry, "10.210.0.1:5000");
    EXPECT_EQ(r.repository, "hoist-test/app");
    EXPECT_EQ(r.tag, "v1");
    EXPECT_EQ(r.str(), "10.210.0.1:5000/hoist-test/app:v1");
}

TEST(Reference, DockerHubNormalisation) {
    auto r = Reference::parse("busybox");
    EXPECT_EQ(r.registry, "docker.io");
    EXPECT_EQ(r.repository, "library/busybox");
    EXPECT_EQ(r.tag, "latest");
    EXPECT_EQ(r.api_host(), "registry-1.docker.io");
    EXPECT_EQ(Reference::parse("acme/web:1").repository, "acme/web");
    EXPECT_EQ(Reference::parse("localhost/web").registry, "localhost");
}

TEST(Reference, DigestAndDefaultTag) {
    std::string d = "sha256:" + std::string(64, 'c');
    auto r = Reference::parse("reg.example/a/b@" + d);
    EXPECT_EQ(r.tag, "");
    EXPECT_EQ(r.digest, d);
    EXPECT_EQ(r.manifest_ref(), d);
    EXPECT_EQ(Reference::parse("reg.example/a/b", "abc123").tag, "abc123");
}

TEST(Reference, Invalid) {
    EXPECT_THROW(Reference::parse("reg.example/Acme/web"), hoist::Error);
    EXPECT_THROW(Reference::parse("reg.example/a:bad tag"), hoist::Error);
    EXPECT_THROW(Reference::parse("reg.example/a@sha256:zz"), hoist::Error);
    EXPECT_THROW(Reference::parse(""), hoist::Error);
}

// The repository and tag grammars used std::regex, which overflowed the stack on a long FROM.
TEST(Reference, LongReferencesAreCheckedWithoutRecursion) {
    std::string repo = "a";
    for (int i = 0; i < 100000; ++i) repo += "-b";
    EXPECT_EQ(Reference::parse("reg.example/" + repo + ":t").repository, repo);
    EXPECT_THROW(Reference::parse("reg.example/" + repo + "_:t"), hoist::Error);
    EXPECT_THROW(Reference::parse("reg.example/app:" + std::string(200000, 'a')), hoist::Error);
}
