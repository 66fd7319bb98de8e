#include "ssh/tunnel.hpp"

#include <cctype>

#include "ssh/channel.hpp"

namespace hoist::ssh {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool decode_chunked(const std::string& in, std::string& out) {
    std::size_t pos = 0;
    for (;;) {
        auto eol = in.find("\r\n", pos);
        if (eol == std::string::npos) return false;
        std::size_t size = 0;
        try {
            size = std::stoul(in.substr(pos, eol - pos), nullptr, 16);
        } catch (...) {
            return false;
        }
        pos = eol + 2;
        if (size == 0) return true;
        if (pos + size > in.size()) return false;
        out.append(in, pos, size);
        pos += size + 2;
    }
}

}  // namespace

std::string http_get_request(int port, const std::string& path) {
    std::string p = path.empty() || path[0] != '/' ? "/" + path : path;
    return "GET " + p + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUser-Agent: hoist\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

HttpResponse parse_http_response(const std::string& raw) {
    HttpResponse r;
    auto head_end = raw.find("\r\n\r\n");
    std::size_t sep = 4;
    if (head_end == std::string::npos) {
        head_end = raw.find("\n\n");
        sep = 2;
    }
    if (raw.rfind("HTTP/", 0) != 0 || head_end == std::string::npos) {
        r.error = raw.empty() ? "empty response (the connection was closed without an answer)"
                              : "not an HTTP response: " + raw.substr(0, 60);
        return r;
    }
    std::string head = raw.substr(0, head_end);
    auto eol = head.find('\n');
    std::string status_line = trim(head.substr(0, eol));
    auto sp = status_line.find(' ');
    if (sp == std::string::npos || status_line.size() < sp + 4 || !std::isdigit(static_cast<unsigned char>(status_line[sp + 1]))) {
        r.error = "malformed status line: " + status_line;
        return r;
    }
    int status = std::stoi(status_line.substr(sp + 1, 3));
    for (std::size_t pos = eol == std::string::npos ? head.size() : eol + 1; pos < head.size();) {
        auto next = head.find('\n', pos);
        std::string line = trim(head.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        pos = next == std::string::npos ? head.size() : next + 1;
        auto colon = line.find(':');
        if (colon != std::string::npos) r.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    std::string body = raw.substr(head_end + sep);
    if (lower(r.headers["transfer-encoding"]).find("chunked") != std::string::npos) {
        std::string decoded;
        if (!decode_chunked(body, decoded)) {
            r.error = "truncated chunked body";
            return r;
        }
        body = decoded;
    } else if (r.headers.count("content-length")) {
        try {
            auto n = std::stoul(r.headers["content-length"]);
            if (body.size() < n) {
                r.error = "truncated body: " + std::to_string(body.size()) + " of " + std::to_string(n) + " bytes";
                return r;
            }
            body.resize(n);
        } catch (...) {
        }
    }
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpResponse http_get_via_ssh(Session& s, int port, const std::string& path, std::chrono::milliseconds timeout) {
    Deadline d = Deadline::in(timeout);
    std::string target = "127.0.0.1:" + std::to_string(port) + path;
    try {
        Channel ch = open_direct_tcpip(s, "127.0.0.1", port, d);
        ch.write_all(http_get_request(port, path), d, "HTTP request to " + target);
        return parse_http_response(ch.read_to_eof(d, "HTTP response from " + target));
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::disconnected || s.broken()) throw;
        HttpResponse r;
        r.error = e.kind() == ErrorKind::channel ? target + ": connection refused on the host (" + e.what() + ")"
                                                 : e.what();
        return r;
    }
}

std::string unix_socket_request_via_ssh(Session& s, const std::string& path, const std::string& request,
                                        std::chrono::milliseconds timeout) {
    Deadline d = Deadline::in(timeout);
    Channel ch = open_direct_streamlocal(s, path, d);
    ch.write_all(request, d, "writing to " + path);
    return ch.read_to_eof(d, "reading from " + path);
}

}  // namespace hoist::ssh
