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
