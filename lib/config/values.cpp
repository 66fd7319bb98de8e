#include "config/values.hpp"

#include <algorithm>
#include <cctype>

#include "util/strings.hpp"

namespace hoist::config {

bool valid_address_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
}

bool valid_lb_name(const std::string& s) {
    if (s.empty() || s.size() > 128) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
    return true;
}

std::optional<Duration> parse_duration(const std::string& text) {
    if (text == "0") return Duration(0);
    if (text.empty()) return std::nullopt;
    std::size_t i = 0;
    long long total = 0;
    while (i < text.size()) {
        std::size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        if (i == start || i - start > 12) return std::nullopt;
        long long n = std::stoll(text.substr(start, i - start));  // at most 12 digits: no overflow
        std::size_t ustart = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string unit = text.substr(ustart, i - ustart);
        long long factor = 0;
        if (unit == "ms") factor = 1;
        else if (unit == "s") factor = 1000;
        else if (unit == "m") factor = 60'000;
        else if (unit == "h") factor = 3'600'000;
        else return std::nullopt;
        // Each term and the sum stay under max_duration_ms, so neither the sum nor a later
        // `now() + duration` in nanoseconds can overflow.
        if (n > max_duration_ms / factor || (total += n * factor) > max_duration_ms) return std::nullopt;
    }
    return Duration(total);
}

std::optional<HostString> parse_host_string(const std::string& text, std::string& error) {
    HostString h;
    std::string rest = text;
    if (rest.empty()) {
        error = "empty host";
        return std::nullopt;
    }
    if (auto at = rest.rfind('@'); at != std::string::npos) {
        h.user = rest.substr(0, at);
        rest = rest.substr(at + 1);
        if (h.user.empty()) {
            error = "empty user before '@' in '" + text + "'";
            return std::nullopt;
        }
    }
    std::string port_text;
    if (!rest.empty() && rest[0] == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos) {
            error = "unclosed '[' in '" + text + "'";
            return std::nullopt;
        }
        h.address = rest.substr(1, close - 1);
        std::string after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') {
                error = "unexpected '" + after + "' after ']' in '" + text + "'";
                return std::nullopt;
            }
            port_text = after.substr(1);
        }
    } else {
        auto colon = rest.find(':');
        if (colon != std::string::npos && rest.find(':', colon + 1) != std::string::npos) {
            error = "IPv6 addresses must be written in brackets, e.g. [" + rest + "]:22";
            return std::nullopt;
        }
        h.address = rest.substr(0, colon);
        if (colon != std::string::npos) port_text = rest.substr(colon + 1);
    }
    if (h.address.empty()) {
        error = "no host address in '" + text + "'";
        return std::nullopt;
    }
    // Addresses are written into nginx upstream files and HAProxy runtime commands, where `;`,
    // `{` or a space would be syntax: only what host names and IP literals are made of.
    for (char c : h.address) {
        if (!valid_address_char(c)) {
            error = "invalid character '" + std::string(1, c) + "' in host address '" + h.address +
                    "' (letters, digits, '.', '-', '_', ':' and '%' only)";
            return std::nullopt;
        }
    }
    if (!port_text.empty() || (text.back() == ':')) {
        auto p = parse_int(port_text);
        if (!p || *p < 1 || *p > 65535) {
            error = "invalid port '" + port_text + "' in '" + text + "' (must be 1-65535)";
            return std::nullopt;
        }
        h.port = static_cast<int>(*p);
    }
    return h;
}

long long CountOrPercent::resolve(long long total) const {
    if (!percent) return value;
    return std::max<long long>(1, total * value / 100);
}

std::optional<CountOrPercent> parse_count_or_percent(const std::string& text) {
    CountOrPercent c;
    std::string digits = text;
    if (ends_with(text, "%")) {
        c.percent = true;
        digits = text.substr(0, text.size() - 1);
    }
    auto v = parse_int(digits);
    if (!v || *v < 0) return std::nullopt;
    if (c.percent && *v > 100) return std::nullopt;
    c.value = *v;
    return c;
}

}  // namespace hoist::config
