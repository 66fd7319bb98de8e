#pragma once
/// Standard base64 (RFC 4648 with padding), for Basic auth and config.json "auth" fields.
#include <optional>
#include <string>
#include <string_view>

namespace hoist::registry {

std::string base64_encode(std::string_view data);
/// Decodes padded or unpadded standard base64 (whitespace ignored); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hoist::registry
