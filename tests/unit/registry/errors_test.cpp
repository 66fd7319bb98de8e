#include <gtest/gtest.h>

#include "registry/errors.hpp"

using namespace hoist::registry;
using namespace hoist::http;

TEST(RegistryErrors, CodesMessagesAndDetail) {
    EXPECT_EQ(registry_error_codes(R"({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry",
              "detail":"sha256:abc"},{"code":"DENIED","message":"no"}]})"),
              "MANIFEST_BLOB_UNKNOWN: blob unknown to registry (sha256:abc); DENIED: no");
    EXPECT_EQ(registry_error_codes(R"({"error":"invalid_grant"})"), "invalid_grant");
    EXPECT_EQ(registry_error_codes(R"({"message":"No such image: app:v9"})"), "No such image: app:v9");
    EXPECT_EQ(registry_error_codes("<html>bad gateway</html>"), "");
}

TEST(RegistryErrors, FailureLineHidesQueryStrings) {
    Response r;
    r.url = "https://reg/v2/a/blobs/uploads/u?_state=SECRETSTATE&X-Amz-Signature=sig";
    r.status = 400;
    r.body = R"({"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]})";
    std::string line = describe_failure("PUT", r);
    EXPECT_EQ(line, "PUT https://reg/v2/a/blobs/uploads/u: HTTP 400: DIGEST_INVALID: provided digest did not match uploaded content");
    EXPECT_EQ(line.find("SECRETSTATE"), std::string::npos);
    Response t;
    t.url = "http://reg:5000/v2/";
    t.curl_code = 7;
    t.curl_error = "Failed to connect";
    EXPECT_EQ(describe_failure("GET", t), "GET http://reg:5000/v2/: Failed to connect");
}
