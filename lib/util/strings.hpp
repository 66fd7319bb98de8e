#pragma once
/// Small string helpers shared by every layer.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hoist {

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view s, std::string_view prefix);
/// `s` followed by spaces up to `width` characters (bytes); longer strings are left as they are.
std::string pad_right(std::string s, std::size_t width);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);

/// Edit distance (insert, delete, substitute, transpose adjacent) used for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// Parses a base-10 integer that must fill the whole string.
std::optional<long long> parse_int(std::string_view s);
/// An IPv4 or IPv6 address literal (no brackets, no port).
bool is_ip_address(const std::string& s);
/// Percent-encodes every byte but the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), as
/// %XY with upper-case hex; '/' is kept when `keep_slash`.
std::string percent_encode(std::string_view s, bool keep_slash = false);

}  // namespace hoist
