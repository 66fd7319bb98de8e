#pragma once
/// Standard base64 (RFC 4648): Basic auth, config.json "auth" fields, known_hosts keys and salts,
/// SSH key fingerprints. The one implementation in hoist.
#include <optional>
#include <string>
#include <string_view>

namespace hoist {

/// Encodes with padding.
std::string base64_encode(std::string_view data);
/// Decodes padded or unpadded standard base64 (also the URL-safe '-' and '_'; whitespace
/// ignored); nullopt when malformed (a character outside the alphabet, data after padding, a
/// dangling sextet).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace hoist
