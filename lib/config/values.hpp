#pragma once
/// Parsers for the small value languages of the pipeline file: durations, percentages, host strings.
#include <chrono>
#include <optional>
#include <string>

#include "util/duration.hpp"

namespace hoist::config {

using Duration = std::chrono::milliseconds;

/// The longest duration accepted: ten years (durations are added to clocks counting nanoseconds).
constexpr long long max_duration_ms = 10LL * 365 * 24 * 3'600'000;

/// "500ms", "10s", "5m", "1h", also combined ("1m30s"). A bare "0" is zero. nullopt past
/// max_duration_ms.
std::optional<Duration> parse_duration(const std::string& text);
/// The shortest exact spelling of a duration (util/duration.hpp).
using hoist::format_duration;

/// A host as written in the file: "[user@]host[:port]", IPv6 as "[::1]:22".
struct HostString {
    std::string user;  ///< empty: from ssh settings
    std::string address;
    int port = 0;      ///< 0: from ssh settings
};
/// nullopt with `error` set when the string is malformed.
std::optional<HostString> parse_host_string(const std::string& text, std::string& error);
/// Whether `c` may appear in a host address (letters, digits, `.-_:%`): addresses end up in
/// nginx and HAProxy configuration and commands.
bool valid_address_char(char c);
/// An nginx upstream or HAProxy backend name: 1-128 of letters, digits, `.-_` (no syntax of either).
bool valid_lb_name(const std::string& s);

/// A count ("2") or a percentage ("25%").
struct CountOrPercent {
    long long value = 0;
    bool percent = false;
    /// Resolves against a total: percentages round down but never below 1.
    long long resolve(long long total) const;
};
std::optional<CountOrPercent> parse_count_or_percent(const std::string& text);

}  // namespace hoist::config
