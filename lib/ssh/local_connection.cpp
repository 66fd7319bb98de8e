#include "ssh/local_connection.hpp"

#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ssh/error.hpp"
#include "ssh/tunnel.hpp"
#include "util/process.hpp"

namespace hoist::ssh {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

LocalConnection::LocalConnection() {
    const char* h = std::getenv("HOME");
    m_home = h && *h ? h : "/";
}

ExecResult LocalConnection::exec(const std::string& line, const ExecOptions& o) {
    auto t0 = Clock::now();
    long long secs = std::max<long long>(1, (o.timeout.count() + 999) / 1000);
    ProcessOptions po;
    po.cwd = m_home;
    po.input = o.input;
    if (o.input_source) {  // local runs are for tests and `hosts: [local]`: the payload fits in memory
        std::string all;
        std::vector<char> b(65536);
        while (std::size_t n = o.input_source(b.data(), b.size())) all.append(b.data(), n);
        po.input = std::move(all);
    }
    po.timeout = std::chrono::seconds(secs + 10);  // `timeout` ends it first; this is the backstop
    auto r = run_process({"timeout", "-k", "5", std::to_string(secs), "sh", "-c", line}, po);
    ExecResult e;
    e.exit_code = r.exit_code;
    e.out = r.out;
    e.err = r.err;
    e.timed_out = r.exit_code == 124 || r.exit_code == 137;
    e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    if (o.on_output) {
        if (!e.out.empty()) o.on_output(Stream::out, e.out);
        if (!e.err.empty()) o.on_output(Stream::err, e.err);
    }
    return e;
}

void LocalConnection::upload(const std::string& path, std::string_view bytes, int mode) {
    fs::path p = path.rfind("~/", 0) == 0 ? fs::path(m_home) / path.substr(2)
                 : path[0] == '/'         ? fs::path(path)
                                          : fs::path(m_home) / path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    std::string tmp = p.string() + ".hoist-tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw Error(ErrorKind::sftp, "local: cannot write " + tmp + ": " + std::strerror(errno));
    fchmod(fd, static_cast<mode_t>(mode));
    std::size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n <= 0) {
            ::close(fd);
            throw Error(ErrorKind::sftp, "local: cannot write " + tmp + ": " + std::strerror(errno));
        }
        off += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (std::rename(tmp.c_str(), p.c_str()) != 0)
        throw Error(ErrorKind::sftp, "local: cannot rename " + tmp + ": " + std::strerror(errno));
}

namespace {

/// Connects `fd` to `addr`, sends `request`, reads until EOF or the deadline. Empty + error on failure.
std::string round_trip(int fd, const sockaddr* addr, socklen_t len, const std::string& request,
                       std::chrono::milliseconds timeout, std::string& error) {
    auto deadline = Clock::now() + timeout;
    auto left = [&] {
        return static_cast<int>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
    };
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, addr, len) != 0 && errno != EINPROGRESS) {
        error = std::strerror(errno);
        return "";
    }
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, left()) <= 0) {
        error = "timed out connecting";
        return "";
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) {
        error = std::strerror(soerr);
        return "";
    }
    std::size_t off = 0;
    while (off < request.size()) {
        ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
        if (n > 0) off += static_cast<std::size_t>(n);
        else if (errno != EAGAIN || poll(&p, 1, left()) <= 0) {
            error = "write failed";
            return "";
        }
    }
    std::string out;
    char buf[16384];
    p.events = POLLIN;
    while (true) {
        int r = poll(&p, 1, left());
        if (r <= 0) {
            error = "timed out";
            return out;
        }
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) out.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EAGAIN) return out;
    }
}

}  // namespace

HttpResponse LocalConnection::http_get(int port, const std::string& path, std::chrono::milliseconds timeout) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string error;
    std::string raw = round_trip(fd, reinterpret_cast<sockaddr*>(&a), sizeof a,
                                 "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout, error);
    ::close(fd);
    if (raw.empty()) {
        HttpResponse r;
        r.error = error.empty() ? "no response" : error;
        return r;
    }
    return parse_http_response(raw);
}

std::string LocalConnection::unix_socket_request(const std::string& socket_path, const std::string& request,
                                                 std::chrono::milliseconds timeout) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, socket_path.c_str(), sizeof a.sun_path - 1);
    std::string error;
    std::string out = round_trip(fd, reinterpret_cast<sockaddr*>(&a), sizeof a, request, timeout, error);
    ::close(fd);
    if (out.empty() && !error.empty())
        throw Error(ErrorKind::channel, "local: " + socket_path + ": " + error);
    return out;
}

}  // namespace hoist::ssh
