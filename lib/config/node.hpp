#pragma once
/// A YAML document as a small located tree.
///
/// yaml-cpp nodes have reference semantics that make deep merging error-prone, and a merged
/// overlay must keep the line:col of whichever file position each value came from. So the loader
/// converts YAML into this tree once, merges stage overlays on it, interpolates `${VAR}` in its
/// scalars, and only then turns it into the typed Pipeline.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/diagnostic.hpp"

namespace hoist::config {

struct MapEntry;

struct Node {
    enum class Kind { null, scalar, map, seq };
    Kind kind = Kind::null;
    Location loc;
    std::string scalar;  ///< for scalars (after interpolation)
    bool quoted = false; ///< scalar was quoted in the file ("8080" is a string, 8080 a number)
    bool invalid = false; ///< interpolation failed here; already reported, so checks skip it
    std::string as_written; ///< the scalar before ${VAR} interpolation, when that changed it
    std::vector<MapEntry> map;                      ///< keys in file order
    std::vector<Location> key_locs;                 ///< location of each map key
    std::vector<Node> seq;

    bool is_null() const { return kind == Kind::null; }
    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_map() const { return kind == Kind::map; }
    bool is_seq() const { return kind == Kind::seq; }

    /// The value at `key` in a map, or nullptr.
    const Node* find(const std::string& key) const;
    Node* find(const std::string& key);
    /// Word used in type errors: "a string", "a list", "a map", "null".
    std::string kind_name() const;
};

/// One key of a map node. (Not std::pair<std::string, Node>: a pair of a type still incomplete
/// inside Node is undefined, and clang's libstdc++ mode refuses it.)
struct MapEntry {
    std::string first;  ///< the key
    Node second;        ///< its value
};

/// Parses YAML text; syntax errors go to `diags` and give a null node.
Node parse_yaml(const std::string& text, const std::string& file, Diagnostics& diags);

/// Deep-merges `overlay` over `base`: maps merge key by key, anything else is replaced.
void deep_merge(Node& base, const Node& overlay);

}  // namespace hoist::config
