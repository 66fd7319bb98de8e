#include <gtest/gtest.h>

#include "http/url.hpp"

using namespace hoist::http;

TEST(Location, AbsoluteIsKeptExactlyWithItsQuery) {
    std::string loc = "https://blobs.example.com/up/abc?X-Amz-Signature=a%2Fb&_state=x%3D";
    EXPECT_EQ(resolve_location("http://reg:5000/v2/acme/web/blobs/uploads/", loc), loc);
}

TEST(Location, HostRelativeKeepsSchemeHostPortAndQuery) {
    EXPECT_EQ(resolve_location("http://127.0.0.1:5000/v2/acme/web/blobs/uploads/",
                               "/v2/acme/web/blobs/uploads/8f1c?_state=AbC%3D%3D&x=1"),
              "http://127.0.0.1:5000/v2/acme/web/blobs/uploads/8f1c?_state=AbC%3D%3D&x=1");
}

TEST(Location, PathRelativeResolvesAgainstTheRequestDirectory) {
    EXPECT_EQ(resolve_location("https://reg.example/v2/acme/web/blobs/uploads/", "8f1c?_state=s"),
              "https://reg.example/v2/acme/web/blobs/uploads/8f1c?_state=s");
    EXPECT_EQ(resolve_location("https://reg.example/v2/a/b/blobs/uploads/x", "../y"), "https://reg.example/v2/a/b/blobs/y");
}

TEST(Location, BaseQueryIsNeverCarriedOver) {
    EXPECT_EQ(resolve_location("https://reg.example/v2/a/blobs/uploads/?mount=sha256:x&from=b", "/v2/a/blobs/uploads/u1"),
              "https://reg.example/v2/a/blobs/uploads/u1");
}

TEST(Location, SchemeRelativeTakesTheRequestScheme) {
    EXPECT_EQ(resolve_location("https://reg.example/v2/", "//cdn.example/x?y=1"), "https://cdn.example/x?y=1");
}

TEST(Location, QueryOnlyReplacesTheQuery) {
    EXPECT_EQ(resolve_location("https://reg.example/v2/a/blobs/uploads/u1?_state=old", "?_state=new"),
              "https://reg.example/v2/a/blobs/uploads/u1?_state=new");
}

TEST(Url, ParseAndAuthority) {
    auto u = Url::parse("HTTPS://Reg.Example:443/v2/?a=b#f");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->scheme, "https");
    EXPECT_EQ(u->host, "reg.example");
    EXPECT_EQ(u->authority(), "reg.example");
    EXPECT_EQ(u->path, "/v2/");
    EXPECT_EQ(u->query, "a=b");
    auto v = Url::parse("http://[::1]:5000/v2/");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->host, "[::1]");
    EXPECT_EQ(v->effective_port(), 5000);
    EXPECT_FALSE(Url::parse("ftp://x/"));
    EXPECT_FALSE(Url::parse("/v2/"));
}

TEST(Url, AddQueryEncodesAndAppends) {
    EXPECT_EQ(add_query("http://r/v2/a/blobs/uploads/u?_state=s", "digest", "sha256:ab"),
              "http://r/v2/a/blobs/uploads/u?_state=s&digest=sha256%3Aab");
    EXPECT_EQ(add_query("http://r/v2/a/blobs/uploads/u", "digest", "sha256:ab"),
              "http://r/v2/a/blobs/uploads/u?digest=sha256%3Aab");
}

TEST(Url, AuthorizationStaysOnTheSameOrigin) {
    EXPECT_TRUE(same_origin("https://reg.example/v2/a", "https://reg.example:443/v2/b"));
    EXPECT_FALSE(same_origin("https://reg.example/v2/a", "https://s3.amazonaws.com/bucket/blob"));
    EXPECT_FALSE(same_origin("https://reg.example/v2/a", "http://reg.example/v2/a"));
    EXPECT_FALSE(same_origin("http://reg.example:5000/", "http://reg.example:5001/"));
}
