// ECR tokens with a scripted transport: the registry hosts that are ECR's, the JSON 1.1 request,
// AWS's answer and its errors read in plain words, and one token reused until shortly before it expires.
#include <gtest/gtest.h>

#include <map>

#include "aws/ecr.hpp"
#include "aws/error.hpp"

namespace hoist::aws {
namespace {

const char* kHost = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

http::Response answer(long status, std::string body) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

// base64("AWS:s3cr3t-token-password")
const char* kOk =
    R"({"authorizationData":[{"authorizationToken":"QVdTOnMzY3IzdC10b2tlbi1wYXNzd29yZA==",)"
    R"("expiresAt":1.796169600E9,"proxyEndpoint":"https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"}]})";

struct Scripted {
    std::vector<http::Response> answers;
    std::vector<http::Request> sent;
    long long now = 1796126400LL;  // 2026-12-01T12:00:00Z; the token above expires 12 h later
    std::map<std::string, std::string> env = {
        {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
        {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};

    Scripted() { forget_ecr_tokens(); }
    ~Scripted() { forget_ecr_tokens(); }

    EcrOptions options() {
        EcrOptions o;
        o.chain.env = [this](const std::string& n) -> std::optional<std::string> {
            auto it = env.find(n);
            return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        o.chain.transport = [](http::Request) { return answer(0, ""); };
        o.query.transport = [this](http::Request r) {
            sent.push_back(r);
            auto a = answers.at(std::min(sent.size(), answers.size()) - 1);
            return a;
        };
        o.query.sleep = [](std::chrono::milliseconds) {};
        o.query.clock = [this] { return now; };
        o.now = [this] { return now; };
        return o;
    }
};

TEST(Ecr, RegistryHosts) {
    auto r = parse_ecr_host(kHost);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->account, "123456789012");
    EXPECT_EQ(r->region, "eu-west-1");
    EXPECT_EQ(parse_ecr_host("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")->region,
              "us-gov-west-1");
    EXPECT_EQ(parse_ecr_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")->region, "cn-north-1");
    EXPECT_EQ(parse_ecr_host("123456789012.dkr.ecr.eu-west-1.amazonaws.com:443")->region, "eu-west-1");
    for (const char* no :
         {"registry.example.com", "public.ecr.aws", "12345678901.dkr.ecr.eu-west-1.amazonaws.com",
          "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example",
          "123456789012.dkr.ecr.eu_west_1.amazonaws.com", "x23456789012.dkr.ecr.eu-west-1.amazonaws.com",
          "123456789012.dkr.ecr.eu-west-1.amazonaws.com:x", "123456789012.ecr.eu-west-1.amazonaws.com",
          "10.0.0.1:5000"})
        EXPECT_FALSE(parse_ecr_host(no)) << no;
}

TEST(Ecr, ReadsTheToken) {
    auto t = read_authorization_token(kOk);
    EXPECT_EQ(t.username, "AWS");
    EXPECT_EQ(t.password.reveal(), "s3cr3t-token-password");
    EXPECT_EQ(t.expires_at, 1796169600LL);
    EXPECT_EQ(t.proxy_endpoint, "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com");
}

TEST(Ecr, MalformedAnswersSayWhatIsMissingWithoutTheToken) {
    auto msg = [](const std::string& body) {
        try {
            read_authorization_token(body);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(msg("[]"), "ecr GetAuthorizationToken: the answer is not a JSON object");
    EXPECT_EQ(msg(R"({"authorizationData":[]})"),
              "ecr GetAuthorizationToken: the answer holds no authorizationData");
    EXPECT_EQ(msg(R"({"authorizationData":[{"expiresAt":1}]})"),
              "ecr GetAuthorizationToken: the answer's authorizationData has no authorizationToken");
    EXPECT_EQ(msg(R"({"authorizationData":[{"authorizationToken":"QVdTOng="}]})"),
              "ecr GetAuthorizationToken: the answer's authorizationData has no expiresAt");
    // base64("AWSsecret"): no colon; the decoded text is not repeated
    std::string m = msg(R"({"authorizationData":[{"authorizationToken":"QVdTc2VjcmV0","expiresAt":1}]})");
    EXPECT_EQ(m, "ecr GetAuthorizationToken: the authorizationToken is not base64 of USER:PASSWORD");
    EXPECT_EQ(msg(R"({"authorizationData":[{"authorizationToken":"!!","expiresAt":1}]})"), m);
}

TEST(Ecr, WhatGoesOnTheWire) {
    Scripted s;
    s.answers.push_back(answer(200, kOk));
    auto t = ecr_token(kHost, s.options());
    EXPECT_EQ(t.password.reveal(), "s3cr3t-token-password");
    ASSERT_EQ(s.sent.size(), 1u);
    const auto& r = s.sent[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "https://api.ecr.eu-west-1.amazonaws.com/");
    EXPECT_EQ(r.body, "{}");
    ASSERT_EQ(r.headers.size(), 5u);
    EXPECT_EQ(r.headers[0], "Host: api.ecr.eu-west-1.amazonaws.com");
    EXPECT_EQ(r.headers[1], "Content-Type: application/x-amz-json-1.1");
    EXPECT_EQ(r.headers[2], "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
    EXPECT_EQ(r.headers[3], "X-Amz-Date: 20261201T120000Z");
    EXPECT_EQ(r.headers[4].rfind(
                  "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/eu-west-1/ecr/"
                  "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=",
                  0),
              0u)
        << r.headers[4];
}

TEST(Ecr, EndpointOverride) {
    Scripted s;
    s.env["AWS_ENDPOINT_URL_ECR"] = "http://10.0.0.1:4566";
    s.answers.push_back(answer(200, kOk));
    ecr_token(kHost, s.options());
    ASSERT_EQ(s.sent.size(), 1u);
    EXPECT_EQ(s.sent[0].url, "http://10.0.0.1:4566/");
}

TEST(Ecr, OneTokenUntilShortlyBeforeItExpires) {
    Scripted s;
    s.answers.push_back(answer(200, kOk));
    ecr_token(kHost, s.options());
    s.now += 11 * 3600;  // 1 h left
    ecr_token("123456789012.dkr.ecr.eu-west-1.amazonaws.com", s.options());
    ecr_token("210987654321.dkr.ecr.eu-west-1.amazonaws.com", s.options());  // same region: same token
    EXPECT_EQ(s.sent.size(), 1u);
    s.now += 50 * 60;  // 10 min left: a deploy could outlive it
    ecr_token(kHost, s.options());
    EXPECT_EQ(s.sent.size(), 2u);
}

std::string error_of(Scripted& s, const std::string& host = kHost) {
    try {
        ecr_token(host, s.options());
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(Ecr, UnrecognizedClientInPlainWords) {
    Scripted s;
    auto a =
        answer(400, R"({"__type":"UnrecognizedClientException","message":"The security token included in )"
                    R"(the request is invalid."})");
    a.headers.emplace("x-amzn-requestid", "5a8c1a2e-0000-4f3b-9e2c-000000000001");
    s.answers.push_back(a);
    EXPECT_EQ(
        error_of(s),
        "ECR registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com (region eu-west-1): AWS does not "
        "recognise "
        "the access key in region eu-west-1: the keys are wrong or expired, or the region is not enabled for "
        "the account (ecr GetAuthorizationToken at https://api.ecr.eu-west-1.amazonaws.com: "
        "UnrecognizedClientException: The security token included in the request is invalid. (HTTP 400, "
        "request id 5a8c1a2e-0000-4f3b-9e2c-000000000001))");
}

TEST(Ecr, AccessDeniedInPlainWords) {
    Scripted s;
    s.answers.push_back(
        answer(400, R"({"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: )"
                    R"(arn:aws:iam::123456789012:user/ci is not authorized to perform: )"
                    R"(ecr:GetAuthorizationToken on resource: *"})"));
    EXPECT_EQ(
        error_of(s),
        "ECR registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com (region eu-west-1): the AWS identity is "
        "not "
        "allowed to call ecr:GetAuthorizationToken in eu-west-1; grant it that action, and pull/push on the "
        "repository (ecr GetAuthorizationToken at https://api.ecr.eu-west-1.amazonaws.com: "
        "AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
        "ecr:GetAuthorizationToken on resource: * (HTTP 400))");
}

TEST(Ecr, AnotherRegionsEndpoint) {
    Scripted s;
    s.env["AWS_ENDPOINT_URL_ECR"] = "http://10.0.0.1:4566";
    s.answers.push_back(
        answer(403, R"({"__type":"InvalidSignatureException","message":"Credential should be scoped )"
                    R"(to a valid region, not 'eu-west-1'. "})"));
    std::string m = error_of(s);
    EXPECT_EQ(
        m.rfind("ECR registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com (region eu-west-1): the endpoint "
                "http://10.0.0.1:4566 does not serve region eu-west-1",
                0),
        0u)
        << m;
}

TEST(Ecr, BadSecretKey) {
    Scripted s;
    s.answers.push_back(answer(403,
                               R"({"__type":"InvalidSignatureException","message":"The request signature we )"
                               R"(calculated does not match the signature you provided."})"));
    std::string m = error_of(s);
    EXPECT_NE(
        m.find("AWS refused the request's signature: the secret access key does not belong to the access key "
               "id"),
        std::string::npos)
        << m;
}

TEST(Ecr, CodeOnlyInTheHeader) {
    Scripted s;
    auto a = answer(403, "");
    a.headers.emplace("x-amzn-errortype", "AccessDeniedException:http://internal.amazon.com/coral/");
    s.answers.push_back(a);
    std::string m = error_of(s);
    EXPECT_NE(m.find("is not allowed to call ecr:GetAuthorizationToken"), std::string::npos) << m;
}

TEST(Ecr, NoAnswerNamesTheRegion) {
    Scripted s;
    http::Response a;
    a.curl_code = 6;
    a.curl_error = "Could not resolve host: api.ecr.eu-wets-1.amazonaws.com";
    s.answers.push_back(a);
    std::string m = error_of(s, "123456789012.dkr.ecr.eu-wets-1.amazonaws.com");
    EXPECT_EQ(
        m.rfind(
            "ECR registry 123456789012.dkr.ecr.eu-wets-1.amazonaws.com (region eu-wets-1): no answer "
            "from ECR's API at https://api.ecr.eu-wets-1.amazonaws.com; is 'eu-wets-1' a region ECR serves?",
            0),
        0u)
        << m;
}

TEST(Ecr, NoCredentials) {
    Scripted s;
    s.env.clear();
    s.env["HOME"] = "/nonexistent";
    s.env["AWS_EC2_METADATA_DISABLED"] = "true";
    std::string m = error_of(s);
    EXPECT_EQ(
        m.rfind("ECR registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com (region eu-west-1): hoist asks "
                "ECR for a token with AWS credentials, and found none: ",
                0),
        0u)
        << m;
    EXPECT_TRUE(s.sent.empty());
}

TEST(Ecr, NotAnEcrHost) {
    Scripted s;
    EXPECT_EQ(error_of(s, "registry.example.com"),
              "registry.example.com is not an ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com)");
}

}  // namespace
}  // namespace hoist::aws
