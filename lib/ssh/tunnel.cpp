#include "ssh/tunnel.hpp"

#include "ssh/channel.hpp"

namespace hoist::ssh {

std::string http_get_request(int port, const std::string& path) {
    std::string p = path.empty() || path[0] != '/' ? "/" + path : path;
    return http_request_head("GET", p, "127.0.0.1:" + std::to_string(port), "Accept: */*\r\n");
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

std::string unix_socket_stream_via_ssh(Session& s, const std::string& path, const std::string& head,
                                       const std::function<std::size_t(char*, std::size_t)>& body,
                                       std::chrono::milliseconds timeout) {
    Deadline d = Deadline::in(timeout);
    Channel ch = open_direct_streamlocal(s, path, d);
    const std::string what = "writing to " + path;
    ch.write_all(head, d, what);
    std::string buf(256 * 1024, '\0');
    for (std::size_t n; (n = body(buf.data(), buf.size())) > 0;) ch.write_all(std::string_view(buf.data(), n), d, what);
    return ch.read_to_eof(d, "reading from " + path);
}

}  // namespace hoist::ssh
