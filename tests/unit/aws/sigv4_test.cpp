// The signer's rules one by one, beyond the published suite (sigv4_vectors_test.cpp).
#include <gtest/gtest.h>

#include "aws/sigv4.hpp"
#include "util/sha256.hpp"

namespace hoist::aws {
namespace {

Credentials example_keys() {
    Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return c;
}

TEST(SigV4, UriEncodeKeepsOnlyUnreserved) {
    EXPECT_EQ(uri_encode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(uri_encode("a b+c/d=e&f%"), "a%20b%2Bc%2Fd%3De%26f%25");
    EXPECT_EQ(uri_encode("a/b c", true), "a/b%20c");
    EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");  // UTF-8 bytes, upper-case hex
    EXPECT_EQ(uri_encode("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/73e2"),
              "arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A1%3Atargetgroup%2Fweb%2F73e2");
}

TEST(SigV4, UriDecode) {
    EXPECT_EQ(uri_decode("a%20b%2fc"), "a b/c");
    EXPECT_EQ(uri_decode("a+b"), "a+b");
    EXPECT_EQ(uri_decode("100%"), "100%");
    EXPECT_EQ(uri_decode("%zz%4"), "%zz%4");
}

TEST(SigV4, CanonicalUri) {
    EXPECT_EQ(canonical_uri("", true), "/");
    EXPECT_EQ(canonical_uri("/", true), "/");
    EXPECT_EQ(canonical_uri("//example//", true), "/example/");
    EXPECT_EQ(canonical_uri("/a/b/../c/./d", true), "/a/c/d");
    EXPECT_EQ(canonical_uri("/../..", true), "/");
    // Non-S3 services encode the path as sent once more: an escape on the wire is doubly encoded.
    EXPECT_EQ(canonical_uri("/documents%20and%20settings/", true), "/documents%2520and%2520settings/");
    EXPECT_EQ(canonical_uri("/a b", true), "/a%20b");
    EXPECT_EQ(canonical_uri("//a/./b", false), "//a/./b");
}

TEST(SigV4, CanonicalQuery) {
    EXPECT_EQ(canonical_query(""), "");
    EXPECT_EQ(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
    EXPECT_EQ(canonical_query("flag&x="), "flag=&x=");
    EXPECT_EQ(canonical_query("k=a%2Fb&k2=a b"), "k=a%2Fb&k2=a%20b");
    EXPECT_EQ(canonical_query("a=1&&b=2"), "a=1&b=2");
    EXPECT_EQ(canonical_query("Z=1&a=1"), "Z=1&a=1");  // byte order: upper case first
}

TEST(SigV4, CanonicalHeadersTrimJoinAndSkipUnsigned) {
    HttpRequest r;
    r.headers = {{"Host", "example.amazonaws.com"},
                 {"X-Multi", " one "},
                 {"x-multi", "two\t \tthree"},
                 {"User-Agent", "hoist/0.1"},
                 {"My-Header", "  \"a   b\"  "}};
    auto h = canonical_headers(r, {"user-agent"});
    EXPECT_EQ(h.text, "host:example.amazonaws.com\nmy-header:\"a b\"\nx-multi:one,two three\n");
    EXPECT_EQ(h.signed_headers, "host;my-header;x-multi");
}

// AWS's worked example in "Create a canonical request" / "Calculate the signature" (IAM ListUsers).
TEST(SigV4, DocumentationExampleListUsers) {
    HttpRequest r;
    r.method = "GET";
    r.query = "Action=ListUsers&Version=2010-05-08";
    r.headers = {{"Host", "iam.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"X-Amz-Date", "20150830T123600Z"}};
    SigningOptions o;
    o.region = "us-east-1";
    o.service = "iam";
    auto s = sign(r, example_keys(), o);
    EXPECT_EQ(sha256_hex(s.canonical_request),
              "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    EXPECT_EQ(s.authorization,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date, "
              "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, AddsDateAndSignsSessionToken) {
    HttpRequest r;
    r.method = "POST";
    r.headers = {{"Host", "elasticloadbalancing.eu-west-1.amazonaws.com"}};
    r.body = "Action=DescribeListeners&Version=2015-12-01";
    Credentials c = example_keys();
    c.session_token = Secret("TOKEN/with+chars=");
    SigningOptions o;
    o.region = "eu-west-1";
    o.service = "elasticloadbalancing";
    o.amz_date = "20261201T120000Z";
    auto s = sign(r, c, o);
    EXPECT_EQ(r.header("x-amz-date").value_or(""), "20261201T120000Z");
    EXPECT_EQ(r.header("X-Amz-Security-Token").value_or(""), "TOKEN/with+chars=");
    EXPECT_NE(
        s.authorization.find("Credential=AKIDEXAMPLE/20261201/eu-west-1/elasticloadbalancing/aws4_request"),
        std::string::npos);
    EXPECT_NE(s.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"), std::string::npos);
    EXPECT_EQ(r.headers.back().first, "Authorization");
    // The same request signed again gives the same signature; a changed body does not.
    HttpRequest again;
    again.method = "POST";
    again.headers = {{"Host", "elasticloadbalancing.eu-west-1.amazonaws.com"}};
    again.body = r.body;
    EXPECT_EQ(sign(again, c, o).authorization, s.authorization);
    HttpRequest tampered = again;
    tampered.headers.resize(1);
    tampered.body += "&Extra=1";
    EXPECT_NE(sign(tampered, c, o).authorization, s.authorization);
}

TEST(SigV4, RefusesToSignWithoutKeys) {
    HttpRequest r;
    SigningOptions o;
    EXPECT_THROW(sign(r, Credentials{}, o), std::invalid_argument);
}

TEST(SigV4, DateFormatting) {
    EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace hoist::aws
