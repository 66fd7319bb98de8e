// The stall rule (a transfer below 1 KB/s for low_speed_time_s fails) against a real loopback
// server that answers, then says nothing for a while, then finishes: what the Docker Engine does
// during a silent RUN step.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "http/http.hpp"

using namespace hoist::http;

namespace {

/// Serves one request on 127.0.0.1 (an ephemeral port): the headers and a first chunk at once,
/// the last chunk after `pause`.
class PausingServer {
public:
    explicit PausingServer(std::chrono::milliseconds pause) : m_pause(pause) {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(m_listen, 1) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~PausingServer() {
        ::shutdown(m_listen, SHUT_RDWR);
        m_thread.join();
        ::close(m_listen);
    }
    int port() const { return m_port; }

private:
    void serve() {
        pollfd p{m_listen, POLLIN, 0};
        if (::poll(&p, 1, 10000) != 1) return;  // the client never came: the test fails on its own
        int c = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        char buf[4096];
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 10000) == 1) [[maybe_unused]] auto n = ::read(c, buf, sizeof buf);
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nStep 1\r\n";
        send_all(c, head);
        std::this_thread::sleep_for(m_pause);
        send_all(c, "6\r\nStep 2\r\n0\r\n\r\n");
        ::close(c);
    }
    static void send_all(int fd, const std::string& s) {
        for (std::size_t off = 0; off < s.size();) {
            ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return;  // the client gave up: that is what one of the tests expects
            off += std::size_t(n);
        }
    }
    int m_listen = -1;
    int m_port = 0;
    std::chrono::milliseconds m_pause;
    std::thread m_thread;
};

Request get(int port) {
    Request r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/build";
    return r;
}

}  // namespace

TEST(LowSpeed, AnAnswerSilentLongerThanTheStallTimeFails) {
    PausingServer server(std::chrono::milliseconds(3500));
    Request r = get(server.port());
    r.low_speed_time_s = 1;
    Response resp = perform(std::move(r));
    EXPECT_EQ(resp.curl_code, CURLE_OPERATION_TIMEDOUT) << resp.curl_error;
}

TEST(LowSpeed, OffLetsASilentAnswerFinishWithinTheWholeTimeout) {
    PausingServer server(std::chrono::milliseconds(2500));
    Request r = get(server.port());
    r.low_speed_time_s = 0;
    r.timeout_s = 30;
    Response resp = perform(std::move(r));
    ASSERT_EQ(resp.curl_code, 0) << resp.curl_error;
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.body, "Step 1Step 2");
}

TEST(LowSpeed, TheWholeTimeoutStillEndsASilentAnswer) {
    PausingServer server(std::chrono::milliseconds(3500));
    Request r = get(server.port());
    r.low_speed_time_s = 0;
    r.timeout_s = 1;
    Response resp = perform(std::move(r));
    EXPECT_EQ(resp.curl_code, CURLE_OPERATION_TIMEDOUT) << resp.curl_error;
}
