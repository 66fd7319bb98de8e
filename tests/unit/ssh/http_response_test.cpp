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
        EXPECT_EQ(r.error, size[0] == '-' ? "malformed chunked body: chunk size '" + size + "'" : "truncated chunked body")
            << size;
    }
    auto truncated = parse_http_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc");
    EXPECT_EQ(truncated.status, 0);
}

// The bytes after a chunk's data must be CRLF: anything else means the sizes and the data disagree,
// and taking them as separator would shift every later chunk. The last chunk's trailers and final
// CRLF are not required (the connection's end closes the body).
TEST(HttpResponse, ChunkedFramingIsChecked) {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::string body : {"3\r\nabcXY2\r\nde\r\n0\r\n\r\n", "3\r\nabcd\r\n0\r\n\r\n", "2\r\nabc\r\n0\r\n\r\n"}) {
        auto r = parse_http_response(head + body);
        EXPECT_EQ(r.status, 0) << body;
        EXPECT_NE(r.error.find("is not followed by CRLF"), std::string::npos) << body << ": " << r.error;
    }
    for (std::string body : {"x\r\nabc\r\n0\r\n\r\n", "\r\nabc\r\n0\r\n\r\n", "3x\r\nabc\r\n0\r\n\r\n", "+3\r\nabc\r\n0\r\n"}) {
        auto r = parse_http_response(head + body);
        EXPECT_EQ(r.status, 0) << body;
        EXPECT_NE(r.error.find("malformed chunked body: chunk size"), std::string::npos) << body << ": " << r.error;
    }
    for (std::string body : {"3\r\nabc\r\n0\r\n", "3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n", "3 \r\nabc\r\n0\r\n\r\n",
                             "A\r\n0123456789\r\n0\r\n\r\n"}) {
        auto r = parse_http_response(head + body);
        EXPECT_EQ(r.status, 200) << body << ": " << r.error;
    }
    EXPECT_EQ(parse_http_response(head + "A\r\n0123456789\r\n0\r\n\r\n").body, "0123456789");
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
