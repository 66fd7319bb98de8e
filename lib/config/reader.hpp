#pragma once
/// Typed access to a located YAML tree that reports every problem instead of stopping at the first.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/node.hpp"
#include "config/values.hpp"

namespace hoist::config {

/// Reads values out of a Node, checking types and ranges. Every check that fails adds a located
/// diagnostic and returns nullopt, so the caller keeps its default and moves on to the next key.
class Reader {
public:
    Reader(Diagnostics& diags, std::map<std::string, Location>& locations)
        : m_diags(diags), m_locations(locations) {}

    /// Reports keys of `map` not in `known` (with a "did you mean"), and a non-map `map` as a type error.
    bool expect_map(const Node& node, const std::string& path, const std::vector<std::string>& known);

    std::optional<std::string> string(const Node* n, const std::string& path);
    std::optional<long long> integer(const Node* n, const std::string& path, long long min, long long max);
    std::optional<bool> boolean(const Node* n, const std::string& path);
    std::optional<Duration> duration(const Node* n, const std::string& path);
    std::optional<std::vector<std::string>> string_list(const Node* n, const std::string& path);
    std::optional<std::map<std::string, std::string>> string_map(const Node* n, const std::string& path);
    /// One of `words`; the error lists them all and suggests the closest.
    std::optional<std::string> one_of(const Node* n, const std::string& path, const std::vector<std::string>& words);

    void error(const Location& where, std::string message) { m_diags.error(where, std::move(message)); }
    void warning(const Location& where, std::string message) { m_diags.warning(where, std::move(message)); }
    Diagnostics& diagnostics() { return m_diags; }
    void remember(const std::string& path, const Location& where) { m_locations[path] = where; }
    /// Reports a missing required key, unless an unknown key was already suggested as it
    /// ("hots" -> "hosts"): one mistake, one message.
    void missing(const Location& where, const std::string& key, const std::string& parent = "");

private:
    bool present(const Node* n, const std::string& path);
    Diagnostics& m_diags;
    std::vector<std::string> m_suggested;  ///< dotted paths offered as "did you mean"
    std::map<std::string, Location>& m_locations;
};

/// "in 'ssh'" for nested keys, empty at the top level.
std::string describe_parent(const std::string& path);

}  // namespace hoist::config
