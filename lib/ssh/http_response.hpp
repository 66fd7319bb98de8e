#pragma once
/// Parsing of a complete HTTP/1.x response read from a tunnel (pure, so it is fuzzed alone).
#include <string>

#include "ssh/connection.hpp"

namespace hoist::ssh {

/// An HTTP/1.1 request head: "<method> <path>", Host, User-Agent: hoist, `extra` headers (each
/// ending in CRLF), Connection: close (hoist reads every answer to the end of its channel).
std::string http_request_head(const std::string& method, const std::string& path, const std::string& host,
                              const std::string& extra = "");

/// Parses a complete HTTP/1.x response (status line, headers, body; chunked bodies decoded).
/// Malformed or truncated input gives status 0 and `error`, never an exception.
HttpResponse parse_http_response(const std::string& raw);

}  // namespace hoist::ssh
