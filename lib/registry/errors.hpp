#pragma once
/// Turning a registry's answer into a message that says what happened and where.
///
/// Registries answer failures with {"errors":[{"code":"DENIED","message":"...","detail":...}]}.
/// Messages keep the HTTP status, the method and URL path, and every code and message, e.g.
///   "PUT /v2/acme/web/manifests/v1: HTTP 400: MANIFEST_BLOB_UNKNOWN: blob unknown to registry"
/// Query strings are left out: upload URLs carry state tokens and signed-URL signatures.
#include <string>

#include "http/http.hpp"

namespace hoist::registry {

/// "CODE: message; CODE2: message2" from a registry error body; "" when the body has none.
std::string registry_error_codes(const std::string& body);

/// The full one-line description of a failed request (transport error or HTTP status).
std::string describe_failure(const std::string& method, const http::Response& response);

/// The URL without its query and fragment (safe to print).
std::string printable_url(const std::string& url);

}  // namespace hoist::registry
