// The local endpoint really checks signatures (so every other AWS test that passes proves hoist
// signs correctly): good requests pass, and each way of getting a signature wrong is refused with
// AWS's error code.
#include <filesystem>

#include "aws/error.hpp"
#include "aws_fixture.hpp"
#include "util/process.hpp"

namespace hoist::aws::itest {
namespace {

nlohmann::json seed() {
    auto s = base_seed();
    s["target_groups"] = {{{"arn", arn("targetgroup", "sig/1")}, {"port", 18090}}};
    return s;
}

std::string code_of(QueryClient c) {
    try {
        c.call("DescribeTargetGroups", {{"TargetGroupArns.member.1", arn("targetgroup", "sig/1")}});
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), 403) << e.what();
        return e.aws_code() + ": " + e.what();
    }
    return "accepted";
}

/// A transport that changes the request after it was signed.
Transport tamper(std::function<void(http::Request&)> change) {
    return [change](http::Request r) {
        change(r);
        return http::perform(std::move(r));
    };
}

class Signature : public AwsFleetTest {};

TEST_F(Signature, ProperlySignedRequestIsAccepted) {
    FakeAws fake("sig", seed(), false, false);
    auto doc = client(kElbv2, fake.endpoint()).call("DescribeTargetGroups");
    EXPECT_EQ(doc.members("DescribeTargetGroupsResult/TargetGroups").size(), 1u);
}

TEST_F(Signature, EveryWrongSignatureIsRefused) {
    FakeAws fake("sig", seed(), false, false);
    Credentials wrong_secret = test_keys();
    wrong_secret.secret_access_key = Secret("not-the-secret");
    EXPECT_EQ(code_of(client(kElbv2, fake.endpoint(), wrong_secret)).substr(0, 22), "SignatureDoesNotMatch:");

    Credentials unknown = test_keys();
    unknown.access_key_id = "AKIAUNKNOWN000000000";
    EXPECT_EQ(code_of(client(kElbv2, fake.endpoint(), unknown)).substr(0, 21), "InvalidClientTokenId:");

    Credentials with_token = test_keys();  // these keys have no session token
    with_token.session_token = Secret("a-token-nobody-issued");
    EXPECT_EQ(code_of(client(kElbv2, fake.endpoint(), with_token)).substr(0, 21), "InvalidClientTokenId:");

    QueryOptions body_changed;
    body_changed.transport = tamper([](http::Request& r) { r.body += "&Names.member.1=x"; });
    EXPECT_EQ(code_of(client(kElbv2, fake.endpoint(), test_keys(), body_changed)).substr(0, 22),
              "SignatureDoesNotMatch:");

    QueryOptions no_signature;
    no_signature.transport = tamper([](http::Request& r) {
        for (auto& h : r.headers)
            if (h.rfind("Authorization:", 0) == 0) h = h.substr(0, h.find(", Signature="));
    });
    EXPECT_EQ(code_of(client(kElbv2, fake.endpoint(), test_keys(), no_signature)).substr(0, 20),
              "IncompleteSignature:");

    QueryOptions stale;
    stale.clock = [] { return static_cast<long long>(std::time(nullptr)) - 20 * 60; };
    std::string expired = code_of(client(kElbv2, fake.endpoint(), test_keys(), stale));
    EXPECT_EQ(expired.substr(0, 22), "SignatureDoesNotMatch:");
    EXPECT_NE(expired.find("Signature expired"), std::string::npos) << expired;

    // Signed for EC2 but sent as an ELBv2 action: the scope names the wrong service.
    QueryClient ec2_signed(Service{"ec2", "ec2", "EC2", "2015-12-01"}, kRegion, fake.endpoint(),
                           [] { return test_keys(); });
    EXPECT_EQ(code_of(std::move(ec2_signed)).substr(0, 22), "SignatureDoesNotMatch:");

    // After all that, the endpoint still accepts a good request: nothing was cached or locked out.
    EXPECT_EQ(code_of(client(kElbv2, fake.endpoint())), "accepted");
}

TEST_F(Signature, TheEndpointsVerifierPassesAwsTestSuite) {
    auto r =
        run_process({"python3", std::string(HOIST_SOURCE_DIR) + "/tests/fleet/lib/fake_aws.py", "--self-test",
                     std::string(HOIST_SOURCE_DIR) + "/tests/unit/aws/vectors/sigv4-test-suite.json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "26 passed, 0 failed \n");
}

TEST_F(Signature, ListensOnTheTestAddressOnly) {
    FakeAws fake("sig", seed(), true, false);
    EXPECT_EQ(fake.endpoint().rfind("http://" + f().bridge + ":", 0), 0u) << fake.endpoint();
    EXPECT_EQ(fake.imds().rfind("http://" + f().bridge + ":", 0), 0u) << fake.imds();
    for (const std::string& url : {fake.endpoint(), fake.imds()}) {
        std::string port = url.substr(url.rfind(':') + 1);
        std::string listening = sh("ss -Hltn 'sport = :" + port + "' | awk '{print $4}'");
        EXPECT_EQ(listening, f().bridge + ":" + port + "\n");
    }
}

}  // namespace
}  // namespace hoist::aws::itest
