// The Query API client with a scripted transport: what goes on the wire, how errors read, and
// which failures are retried with how long a wait.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "aws/error.hpp"
#include "aws/query.hpp"

namespace hoist::aws {
namespace {

const char* kArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067";

Env env_of(std::map<std::string, std::string> m) {
    return [m](const std::string& n) -> std::optional<std::string> {
        auto it = m.find(n);
        return it == m.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

http::Response answer(long status, std::string body) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

struct Scripted {
    std::deque<http::Response> answers;
    std::vector<http::Request> sent;
    std::vector<long long> sleeps;

    QueryClient client(const std::string& endpoint = "http://10.0.0.1:4566") {
        QueryOptions o;
        o.transport = [this](http::Request r) {
            sent.push_back(r);
            auto a = answers.front();
            answers.pop_front();
            return a;
        };
        o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d.count()); };
        o.random = [] { return 0.5; };
        o.clock = [] { return 1796126400LL; };  // 2026-12-01T12:00:00Z
        return QueryClient(
            kElbv2, "eu-west-1", endpoint,
            [] {
                Credentials c;
                c.access_key_id = "AKIDEXAMPLE";
                c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
                return c;
            },
            o);
    }
};

const char* kOk =
    "<DescribeTargetHealthResponse><DescribeTargetHealthResult/></DescribeTargetHealthResponse>";

TEST(Query, WhatGoesOnTheWire) {
    Scripted s;
    s.answers.push_back(answer(200, kOk));
    auto doc = s.client().call("DescribeTargetHealth", {{"TargetGroupArn", kArn}});
    EXPECT_EQ(doc.name, "DescribeTargetHealthResponse");
    ASSERT_EQ(s.sent.size(), 1u);
    const auto& r = s.sent[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "http://10.0.0.1:4566/");
    EXPECT_EQ(r.body, std::string("Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=") +
                          "arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A123456789012%3Atargetgroup%2Fweb%"
                          "2F73e2d6bc24d8a067");
    // The signature was computed independently (Python hashlib/hmac) for this exact request.
    EXPECT_EQ(r.headers,
              (std::vector<std::string>{
                  "Host: 10.0.0.1:4566", "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                  "X-Amz-Date: 20261201T120000Z",
                  "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/eu-west-1/"
                  "elasticloadbalancing/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
                  "Signature=c22365bbf7aa76568bb303301200c04b81a470a67bdf9bd1cbb36d46e19feda5"}));
}

TEST(Query, Endpoints) {
    EXPECT_EQ(resolve_endpoint(kElbv2, "eu-west-1", env_of({})),
              "https://elasticloadbalancing.eu-west-1.amazonaws.com");
    EXPECT_EQ(resolve_endpoint(kEc2, "cn-north-1", env_of({})), "https://ec2.cn-north-1.amazonaws.com.cn");
    auto both = env_of({{"AWS_ENDPOINT_URL", "http://10.9.9.1:4566"},
                        {"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "http://10.9.9.2:1"}});
    EXPECT_EQ(resolve_endpoint(kElbv2, "eu-west-1", both), "http://10.9.9.2:1");
    EXPECT_EQ(resolve_endpoint(kEc2, "eu-west-1", both), "http://10.9.9.1:4566");
    EXPECT_EQ(resolve_endpoint(kEc2, "eu-west-1", env_of({{"AWS_ENDPOINT_URL_EC2", "https://ec2.local"}})),
              "https://ec2.local");
    EXPECT_EQ(resolve_endpoint(kEc2, "eu-west-1",
                               env_of({{"AWS_ENDPOINT_URL", "http://x:1"},
                                       {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}})),
              "https://ec2.eu-west-1.amazonaws.com");
    EXPECT_THROW(resolve_endpoint(kEc2, "eu-west-1", env_of({{"AWS_ENDPOINT_URL", "10.0.0.1:4566"}})), Error);
}

TEST(Query, Elbv2ErrorWithCodeMessageAndRequestId) {
    Scripted s;
    s.answers.push_back(
        answer(400, R"(<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error>
  <RequestId>3a1f-77</RequestId></ErrorResponse>)"));
    try {
        s.client().call("DescribeTargetHealth", {{"TargetGroupArn", kArn}});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.aws_code(), "TargetGroupNotFound");
        EXPECT_EQ(e.status(), 400);
        EXPECT_EQ(std::string(e.what()),
                  "elasticloadbalancing DescribeTargetHealth at http://10.0.0.1:4566: "
                  "TargetGroupNotFound: One or more target groups not found (HTTP 400, "
                  "request id 3a1f-77)");
    }
    EXPECT_EQ(s.sent.size(), 1u);  // a verdict, not retried
}

TEST(Query, Ec2ErrorShape) {
    auto e = parse_error_body(
        "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not "
        "authorized</Message></Error></Errors><RequestID>r-1</RequestID></Response>");
    EXPECT_EQ(e.code, "UnauthorizedOperation");
    EXPECT_EQ(e.message, "You are not authorized");
    EXPECT_EQ(e.request_id, "r-1");
    EXPECT_EQ(parse_error_body("<html>bad gateway").code, "");
}

TEST(Query, ThrottlingIsRetriedWithJitteredBackoff) {
    Scripted s;
    const char* throttled =
        "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
        "exceeded</Message></Error></ErrorResponse>";
    s.answers.push_back(answer(400, throttled));
    s.answers.push_back(
        answer(503, "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>"));
    http::Response refused;
    refused.curl_code = 7;  // CURLE_COULDNT_CONNECT
    refused.curl_error = "Connection refused";
    s.answers.push_back(refused);
    s.answers.push_back(answer(200, kOk));
    s.client().call("DescribeTargetHealth");
    EXPECT_EQ(s.sent.size(), 4u);
    EXPECT_EQ(s.sleeps, (std::vector<long long>{100, 200, 400}));  // half of 200, 400, 800 ms (random 0.5)
    // Each attempt is signed again.
    EXPECT_EQ(s.sent[0].headers.back().substr(0, 14), "Authorization:");
}

TEST(Query, GivesUpAfterTheLastAttempt) {
    Scripted s;
    for (int i = 0; i < 5; ++i) s.answers.push_back(answer(500, ""));
    try {
        s.client().call("DescribeListeners");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "elasticloadbalancing DescribeListeners at http://10.0.0.1:4566: HTTP 500; "
                  "gave up after 5 attempts");
    }
    EXPECT_EQ(s.sleeps, (std::vector<long long>{100, 200, 400, 800}));
}

TEST(Query, BackoffIsCapped) {
    Scripted s;
    for (int i = 0; i < 5; ++i) s.answers.push_back(answer(429, ""));
    QueryClient c = s.client();
    EXPECT_THROW(c.call("DescribeListeners"), Error);
    for (auto ms : s.sleeps) EXPECT_LE(ms, 2500);
}

TEST(Query, AccessDeniedIsNotRetried) {
    Scripted s;
    s.answers.push_back(
        answer(403,
               "<ErrorResponse><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/ci "
               "is not authorized to perform: elasticloadbalancing:ModifyListener</Message></Error>"
               "</ErrorResponse>"));
    try {
        s.client().call("ModifyListener");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.aws_code(), "AccessDenied");
        EXPECT_NE(
            std::string(e.what()).find("not authorized to perform: elasticloadbalancing:ModifyListener"),
            std::string::npos);
    }
    EXPECT_TRUE(s.sleeps.empty());
}

TEST(Query, UnreadableSuccessIsAnError) {
    Scripted s;
    s.answers.push_back(answer(200, "<DescribeListenersResponse><truncated"));
    EXPECT_THROW(s.client().call("DescribeListeners"), Error);
}

TEST(Query, RetryableCodes) {
    for (const char* c :
         {"Throttling", "RequestLimitExceeded", "TooManyRequestsException", "InternalFailure"})
        EXPECT_TRUE(is_retryable_code(c)) << c;
    for (const char* c : {"AccessDenied", "TargetGroupNotFound", "SignatureDoesNotMatch", ""})
        EXPECT_FALSE(is_retryable_code(c)) << c;
}

}  // namespace
}  // namespace hoist::aws
