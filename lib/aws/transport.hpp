#pragma once
/// The one seam between lib/aws and the network: a function from request to response. The real one
/// is http::perform (libcurl through http::Easy); unit tests pass canned answers.
#include <functional>
#include <optional>
#include <string>

#include "http/http.hpp"

namespace hoist::aws {

using Transport = std::function<http::Response(http::Request)>;

/// http::perform: one libcurl transfer on the calling thread.
inline Transport default_transport() {
    return [](http::Request r) { return http::perform(std::move(r)); };
}

/// Environment lookup (injected so tests never depend on the real environment).
using Env = std::function<std::optional<std::string>(const std::string&)>;
/// The process environment; empty values count as unset.
Env process_env();

}  // namespace hoist::aws
