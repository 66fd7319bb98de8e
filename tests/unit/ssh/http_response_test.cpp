// The health check reads an HTTP response from the deployed app, which is whatever the image
// runs: a chunk size near 2^64 wrapped `pos + size` and looped forever, growing the body.
#include "ssh/http_response.hpp"

#include <gtest/gtest.h>

using hoist::ssh::parse_http_response;

TEST(HttpResponse, ChunkedBodiesAreDecodedAndHostileSizesRejected) {
    auto ok = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, "abcde");
    for (std::string size : {"fffffffffffffffe", "ffffffffffffffff", "-1", "-2", "7fffffffffffffff"}) {
        auto r = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nabc\r\n0\r\n\r\n");
        EXPECT_EQ(r.status, 0) << size;
        EXPECT_EQ(r.error, "truncated chunked body") << size;
    }
    auto truncated = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc");
    EXPECT_EQ(truncated.status, 0);
}

// Found by the http_response fuzz target: "HTTP/1.1 0 x" parsed as status 0 with no error,
// which reads as "no response" without a reason.
TEST(HttpResponse, AStatusIsThreeDigitsFrom100To599) {
    for (std::string line : {"HTTP/1.1 0 x", "HTTP/1.1 099 x", "HTTP/1.1 600 x", "HTTP/1.1 2000 x", "HTTP/1.1 20x ok"}) {
        auto r = parse_http_response(line + "\r\n\r\n");
        EXPECT_EQ(r.status, 0) << line;
        EXPECT_NE(r.error.find("malformed status line"), std::string::npos) << line;
    }
    EXPECT_EQ(parse_http_response("HTTP/1.1 204\r\n\r\n").status, 204);
}
