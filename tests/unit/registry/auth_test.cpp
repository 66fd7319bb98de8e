// Authenticator decisions that need no token service: Basic on challenge, never to other origins.
#include <gtest/gtest.h>

#include "registry/auth.hpp"
#include "util/base64.hpp"
#include "registry/client.hpp"
#include "util/error.hpp"

using namespace hoist;
using namespace hoist::registry;
using namespace hoist::http;

namespace {
Response unauthorized(const std::string& challenge) {
    Response r;
    r.status = 401;
    r.url = "https://reg.example/v2/";
    r.headers.emplace("www-authenticate", challenge);
    return r;
}
Credentials alice() {
    Credentials c;
    c.username = "alice";
    c.password = Secret("pw");
    c.source = "test";
    return c;
}
bool has_auth(const Request& r) {
    for (auto& h : r.headers)
        if (h.rfind("Authorization:", 0) == 0) return true;
    return false;
}
}  // namespace

TEST(Authenticator, AnonymousUntilChallengedThenBasic) {
    Authenticator a("https://reg.example", alice(), false);
    Request r;
    r.url = "https://reg.example/v2/acme/web/blobs/uploads/";
    a.apply(r);
    EXPECT_FALSE(has_auth(r));
    EXPECT_TRUE(a.on_unauthorized(unauthorized(R"(Basic realm="registry")")));
    EXPECT_EQ(a.mode(), "basic");
    Request r2;
    r2.url = r.url;
    a.apply(r2);
    ASSERT_EQ(r2.headers.size(), 1u);
    EXPECT_EQ(r2.headers[0], "Authorization: Basic " + base64_encode("alice:pw"));
    // A second 401 after sending Basic is the verdict: wrong credentials.
    EXPECT_FALSE(a.on_unauthorized(unauthorized(R"(Basic realm="registry")")));
}

TEST(Authenticator, NeverSendsCredentialsToAnotherOrigin) {
    Authenticator a("https://reg.example", alice(), false);
    ASSERT_TRUE(a.on_unauthorized(unauthorized(R"(Basic realm="registry")")));
    for (std::string url : {"https://s3.amazonaws.com/bucket/blob?sig=x", "http://reg.example/v2/",
                            "https://reg.example:8443/v2/", "https://reg.example.evil.com/v2/"}) {
        Request r;
        r.url = url;
        a.apply(r);
        EXPECT_FALSE(has_auth(r)) << url;
    }
}

TEST(Authenticator, AnonymousCannotAnswerBasic) {
    Credentials none;
    none.source = "anonymous";
    Authenticator a("https://reg.example", none, false);
    EXPECT_FALSE(a.on_unauthorized(unauthorized(R"(Basic realm="registry")")));
    EXPECT_FALSE(a.on_unauthorized(unauthorized("")));
    EXPECT_EQ(a.mode(), "anonymous");
}

TEST(Authenticator, BearerWithAnInvalidRealmIsAnErrorNotARequest) {
    Authenticator a("https://reg.example", alice(), false);
    EXPECT_THROW(a.on_unauthorized(unauthorized(R"(Bearer realm="not a url",service="x")")), hoist::Error);
}

TEST(Authenticator, CredentialsGoToATokenRealmOnlyOverHttpsOrToTheInsecureRegistrysHost) {
    // The realm is whatever the 401 names; before any request, a plain-HTTP realm elsewhere is refused.
    Authenticator a("https://reg.example", alice(), false);
    try {
        a.on_unauthorized(unauthorized(R"(Bearer realm="http://127.0.0.1:1/token",service="x")"));
        FAIL() << "sent credentials to a plain-HTTP realm";
    } catch (const hoist::Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("not sending credentials from test there"), std::string::npos) << m;
        EXPECT_NE(m.find("only over HTTPS"), std::string::npos) << m;
    }
    EXPECT_TRUE(realm_may_receive_credentials("https://registry-1.docker.io", "https://auth.docker.io/token"));
    EXPECT_TRUE(realm_may_receive_credentials("http://10.0.0.1:5000", "http://10.0.0.1:5001/token"));
    EXPECT_TRUE(realm_may_receive_credentials("http://10.0.0.1:5000", "https://tok.example/token"));
    EXPECT_FALSE(realm_may_receive_credentials("https://reg.example", "http://reg.example/token"));
    EXPECT_FALSE(realm_may_receive_credentials("http://10.0.0.1:5000", "http://evil.example/token"));
    EXPECT_FALSE(realm_may_receive_credentials("https://reg.example", "ftp://reg.example/token"));
}

TEST(SchemeFor, OnlyExactLoopbackHostsArePlainHttp) {
    EXPECT_EQ(scheme_for("localhost:5000", false), "http");
    EXPECT_EQ(scheme_for("LOCALHOST", false), "http");
    EXPECT_EQ(scheme_for("127.0.0.1:5000", false), "http");
    EXPECT_EQ(scheme_for("127.8.9.10", false), "http");
    EXPECT_EQ(scheme_for("[::1]:5000", false), "http");
    EXPECT_EQ(scheme_for("localhost.corp.example", false), "https");
    EXPECT_EQ(scheme_for("localhost.corp.example:5000", false), "https");
    EXPECT_EQ(scheme_for("127.foo.example", false), "https");
    EXPECT_EQ(scheme_for("[::1].example", false), "https");
    EXPECT_EQ(scheme_for("reg.example", true), "http");
}
