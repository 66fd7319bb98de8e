#include <gtest/gtest.h>

#include "oci/digest.hpp"
#include "util/error.hpp"

using namespace hoist::oci;

TEST(Digest, Sha256OfKnownVectors) {
    EXPECT_EQ(sha256_of("").str(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_of("abc").str(), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, StreamingEqualsOneShotAndResetsAfterFinish) {
    Sha256 h;
    h.update("a");
    h.update("bc");
    EXPECT_EQ(h.bytes(), 3u);
    EXPECT_EQ(h.finish(), sha256_of("abc"));
    EXPECT_EQ(h.bytes(), 0u);
    h.update("abc");
    EXPECT_EQ(h.finish(), sha256_of("abc"));
}

TEST(Digest, ParseAcceptsWellFormedAndRejectsMalformed) {
    auto d = Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->algorithm, "sha256");
    EXPECT_FALSE(Digest::parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    EXPECT_FALSE(Digest::parse("sha256:abc"));
    EXPECT_FALSE(Digest::parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    EXPECT_FALSE(Digest::parse(":abc"));
    EXPECT_THROW(Digest::must_parse("nope", "layer 1"), hoist::Error);
}
