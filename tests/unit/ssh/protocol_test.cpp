// Pure pieces of the SSH layer: host key algorithm order, HTTP response parsing, line splitting,
// signal numbers.
#include <gtest/gtest.h>

#include "ssh/connection.hpp"
#include "ssh/error.hpp"
#include "ssh/exec.hpp"
#include "ssh/session.hpp"
#include "ssh/tunnel.hpp"

using namespace hoist::ssh;

TEST(HostKeyPreference, TrustedTypesFirstRsaMeansSha2) {
    EXPECT_EQ(host_key_preference({}),
              "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa");
    EXPECT_EQ(host_key_preference({"ssh-rsa"}),
              "rsa-sha2-512,rsa-sha2-256,ssh-rsa,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521");
    EXPECT_EQ(host_key_preference({"ecdsa-sha2-nistp256", "unknown-type"}).substr(0, 20), "ecdsa-sha2-nistp256,");
}

TEST(Http, RequestText) {
    EXPECT_EQ(http_get_request(8080, "healthz"),
              "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: hoist\r\nAccept: */*\r\nConnection: close\r\n\r\n");
}

TEST(Http, ParsesContentLengthBody) {
    auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b \r\n\r\nhello trailing");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.headers["x-a"], "b");
    EXPECT_TRUE(r.ok());
}

TEST(Http, ParsesChunkedBody) {
    auto r = parse_http_response("HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "Wikipedia");
}

TEST(Http, Http10UntilClose) {
    auto r = parse_http_response("HTTP/1.0 404 Not Found\r\n\r\nnope\n");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, "nope\n");
}

TEST(Http, MalformedAndEmptyAreErrorsNotStatuses) {
    EXPECT_EQ(parse_http_response("").status, 0);
    EXPECT_NE(parse_http_response("").error.find("empty response"), std::string::npos);
    EXPECT_EQ(parse_http_response("SSH-2.0-OpenSSH\r\n").status, 0);
    EXPECT_EQ(parse_http_response("HTTP/1.1 abc\r\n\r\n").status, 0);
    auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("truncated"), std::string::npos);
}

TEST(LineSplitter, SplitsPerStreamAcrossChunks) {
    std::vector<std::string> got;
    LineSplitter s([&](Stream st, std::string_view l) { got.push_back((st == Stream::out ? "o:" : "e:") + std::string(l)); });
    s.feed(Stream::out, "ab");
    s.feed(Stream::err, "x\r\ny");
    s.feed(Stream::out, "c\nd\n\ne");
    s.flush();
    EXPECT_EQ(got, (std::vector<std::string>{"e:x", "o:abc", "o:d", "o:", "o:e", "e:y"}));
}

TEST(Exec, SignalNumbers) {
    EXPECT_EQ(signal_number("TERM"), 15);
    EXPECT_EQ(signal_number("KILL"), 9);
    EXPECT_EQ(signal_number("NOPE"), 0);
}

namespace hoist::ssh {

TEST(SshErrorText, GenericSocketErrorsSayWhatHappened) {
    EXPECT_EQ(describe(-43, "Unexpected error"), "connection lost (nothing could be read from the host) (libssh2 -43)");
    EXPECT_EQ(describe(-13, ""), "the host closed the connection (libssh2 -13)");
    EXPECT_EQ(describe(-18, "Username/PublicKey combination invalid"),
              "Username/PublicKey combination invalid (libssh2 -18)");
    EXPECT_EQ(describe(-43, "Error waiting on socket"), "Error waiting on socket (libssh2 -43)");
    EXPECT_EQ(describe(-14, ""), "unknown error (libssh2 -14)");
}

}  // namespace hoist::ssh
