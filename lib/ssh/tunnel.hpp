#pragma once
/// Requests carried through the SSH connection to services on the host itself: HTTP to
/// 127.0.0.1:PORT over a direct-tcpip channel (the health check needs no curl on the host and no
/// network path from the controller to the app port), and a unix socket over direct-streamlocal
/// (HAProxy's admin socket).
#include <chrono>
#include <string>

#include "ssh/connection.hpp"
#include "ssh/http_response.hpp"
#include "ssh/session.hpp"

namespace hoist::ssh {

/// GET http://127.0.0.1:PORT/PATH through `session`. Never throws for HTTP-level problems (refused,
/// timed out, malformed): those are a response with status 0 and `error`. Throws Error(disconnected)
/// when the SSH connection itself is gone.
HttpResponse http_get_via_ssh(Session& session, int port, const std::string& path, std::chrono::milliseconds timeout);

/// The request text hoist sends (HTTP/1.1, Connection: close).
std::string http_get_request(int port, const std::string& path);

/// Writes `request` to the unix socket `path` on the host and reads until the other side closes.
std::string unix_socket_request_via_ssh(Session& session, const std::string& path, const std::string& request,
                                        std::chrono::milliseconds timeout);

/// Writes `head`, then `body`'s bytes until it gives 0, to the unix socket `path` on the host and
/// reads until the other side closes (Connection::unix_socket_stream).
std::string unix_socket_stream_via_ssh(Session& session, const std::string& path, const std::string& head,
                                       const std::function<std::size_t(char*, std::size_t)>& body,
                                       std::chrono::milliseconds timeout);

}  // namespace hoist::ssh
