#pragma once
/// Parsing of a complete HTTP/1.x response read from a tunnel (pure, so it is fuzzed alone).
#include <string>

#include "ssh/connection.hpp"

namespace hoist::ssh {

/// Parses a complete HTTP/1.x response (status line, headers, body; chunked bodies decoded).
/// Malformed or truncated input gives status 0 and `error`, never an exception.
HttpResponse parse_http_response(const std::string& raw);

}  // namespace hoist::ssh
