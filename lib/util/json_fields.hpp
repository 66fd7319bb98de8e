#pragma once
/// Fields of JSON that comes from outside hoist (a host's `docker ps`, history and lock files, a
/// registry's or the Docker Engine's answers, IMDS, a cache on disk). nlohmann's `value(key, d)`
/// throws type_error when the field is there with another type, which would end a command as an
/// "internal error" on a host's say-so; these treat a field of the wrong type as absent.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace hoist {

/// The string at `key` of `j`; `fallback` when `j` is not an object, or the field is absent or not a string.
inline std::string text_at(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

/// The integer at `key` of `j`; `fallback` when absent or not an integer (a float or a string is not one).
inline std::int64_t integer_at(const nlohmann::json& j, const char* key, std::int64_t fallback = 0) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return fallback;
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return fallback;
    return it->get<std::int64_t>();
}

}  // namespace hoist
