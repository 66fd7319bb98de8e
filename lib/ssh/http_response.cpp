// The HTTP/1.x response an app on a host sends to hoist's health check, through the SSH tunnel.
// The app is whatever image was deployed, so nothing here trusts a size it states.
#include "ssh/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

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

/// Decodes a chunked body into `out`: empty on success, else what is wrong. Each chunk's data must
/// be followed by CRLF (anything else means the sizes and the data disagree); after the last chunk,
/// trailers and the final CRLF are not needed (the connection's end closes the body).
std::string decode_chunked(const std::string& in, std::string& out) {
    std::size_t pos = 0;
    for (;;) {
        auto eol = in.find("\r\n", pos);
        if (eol == std::string::npos) return "truncated chunked body";
        std::size_t size = 0, digits = 0;
        for (; pos + digits < eol && std::isxdigit(static_cast<unsigned char>(in[pos + digits])); ++digits) {
            // Compared before shifting: a size near 2^64 made `pos + size` wrap, and the loop never ended.
            if (size > (std::numeric_limits<std::size_t>::max() >> 4)) return "truncated chunked body";
            const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(in[pos + digits])));
            size = size * 16 + static_cast<std::size_t>(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        const char after = pos + digits < eol ? in[pos + digits] : ';';
        if (digits == 0 || (after != ';' && after != ' ' && after != '\t'))
            return "malformed chunked body: chunk size '" + in.substr(pos, std::min<std::size_t>(eol - pos, 20)) + "'";
        pos = eol + 2;
        if (size == 0) return "";
        if (size > in.size() - pos) return "truncated chunked body";
        if (in.size() - pos - size < 2) return "truncated chunked body";
        if (in.compare(pos + size, 2, "\r\n") != 0)
            return "malformed chunked body: a chunk of " + std::to_string(size) + " bytes is not followed by CRLF";
        out.append(in, pos, size);
        pos += size + 2;
    }
}

}  // namespace

std::string http_request_head(const std::string& method, const std::string& path, const std::string& host,
                              const std::string& extra) {
    return method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: hoist\r\n" + extra +
           "Connection: close\r\n\r\n";
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
    auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(status_line[i])) != 0; };
    // three digits, 100-599 (an HTTP status); status 0 would read as "no response" with no reason
    if (sp == std::string::npos || status_line.size() < sp + 4 || !digit(sp + 1) || !digit(sp + 2) || !digit(sp + 3) ||
        status_line[sp + 1] < '1' || status_line[sp + 1] > '5' ||
        (status_line.size() > sp + 4 && status_line[sp + 4] != ' ')) {
        r.error = "malformed status line: " + status_line.substr(0, 80);
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
        if (auto why = decode_chunked(body, decoded); !why.empty()) {
            r.error = why;
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

}  // namespace hoist::ssh
