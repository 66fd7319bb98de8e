#pragma once
/// `${NAME}`, `${NAME:-default}` and `$$` in pipeline strings.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hoist::config {

/// Looks a variable up; nullopt when unset. Tests pass a map, the CLI passes getenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

EnvLookup process_environment();

struct InterpolationResult {
    std::string value;
    std::vector<std::string> unset;   ///< variables that were unset and had no default
    std::vector<std::string> errors;  ///< malformed references, e.g. an unclosed "${"
};

/// Replaces every reference in `text`. `${NAME:-default}` uses the default when NAME is unset or
/// empty (as in POSIX sh); a default may itself not contain references. A lone `$` stays as is.
InterpolationResult interpolate(const std::string& text, const EnvLookup& env);

}  // namespace hoist::config
