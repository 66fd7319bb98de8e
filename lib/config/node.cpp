#include "config/node.hpp"

#include <yaml-cpp/yaml.h>

#include <unordered_set>

namespace hoist::config {

const Node* Node::find(const std::string& key) const {
    for (const auto& [k, v] : map)
        if (k == key) return &v;
    return nullptr;
}

Node* Node::find(const std::string& key) {
    for (auto& [k, v] : map)
        if (k == key) return &v;
    return nullptr;
}

std::string Node::kind_name() const {
    switch (kind) {
        case Kind::null: return "nothing";
        case Kind::scalar: return "a scalar";
        case Kind::map: return "a map";
        case Kind::seq: return "a list";
    }
    return "?";
}

namespace {

Location location_of(const YAML::Mark& mark, const std::string& file) {
    if (mark.is_null()) return {file, 0, 0};
    return {file, mark.line + 1, mark.column + 1};
}

/// What one document may expand to. yaml-cpp shares an aliased node between its uses, but this
/// tree copies it into each, so `*a` repeated inside nested anchors grows exponentially: a
/// 409-byte file once took 3 GB. Real pipelines have a few hundred values.
struct Budget {
    static constexpr std::size_t max_nodes = 100000;
    static constexpr std::size_t max_bytes = 16 << 20;  ///< of scalar text
    std::size_t nodes = 0, bytes = 0;
    bool exceeded = false;
};

Node convert(const YAML::Node& y, const std::string& file, Diagnostics& diags, int depth, Budget& budget) {
    Node n;
    n.loc = location_of(y.Mark(), file);
    if (depth > 64) {
        diags.error(n.loc, "the document is nested too deeply");
        return n;
    }
    if (budget.exceeded) return n;
    if (++budget.nodes > Budget::max_nodes ||
        (y.Type() == YAML::NodeType::Scalar && (budget.bytes += y.Scalar().size()) > Budget::max_bytes)) {
        budget.exceeded = true;
        diags.error(n.loc, "the document expands to more than " + std::to_string(Budget::max_nodes) + " values or " +
                               std::to_string(Budget::max_bytes >> 20) +
                               " MiB of text (each use of a YAML alias is a copy); nothing after this is read");
        return n;
    }
    switch (y.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: n.kind = Node::Kind::null; break;
        case YAML::NodeType::Scalar:
            n.kind = Node::Kind::scalar;
            n.scalar = y.Scalar();
            n.quoted = y.Tag() == "!";
            break;
        case YAML::NodeType::Sequence:
            n.kind = Node::Kind::seq;
            for (const auto& item : y) n.seq.push_back(convert(item, file, diags, depth + 1, budget));
            break;
        case YAML::NodeType::Map: {
            n.kind = Node::Kind::map;
            std::unordered_set<std::string> keys;  // Node::find is a scan; a map may have many keys
            for (const auto& kv : y) {
                Location kloc = location_of(kv.first.Mark(), file);
                if (!kv.first.IsScalar()) {
                    diags.error(kloc, "map keys must be plain words");
                    continue;
                }
                std::string key = kv.first.Scalar();
                if (!keys.insert(key).second) {
                    diags.error(kloc, "duplicate key '" + key + "'");
                    continue;
                }
                n.map.push_back({key, convert(kv.second, file, diags, depth + 1, budget)});
                n.key_locs.push_back(kloc);
                // A key with no value ("hosts:") has no mark of its own: point at the key.
                if (!n.map.back().second.loc.known()) n.map.back().second.loc = kloc;
            }
            break;
        }
    }
    return n;
}

}  // namespace

Node parse_yaml(const std::string& text, const std::string& file, Diagnostics& diags) {
    try {
        YAML::Node root = YAML::Load(text);
        Budget budget;
        Node n = convert(root, file, diags, 0, budget);
        if (!n.loc.known()) n.loc = {file, 1, 1};
        return n;
    } catch (const YAML::Exception& e) {
        diags.error(location_of(e.mark, file), "invalid YAML: " + e.msg);
        Node n;
        n.loc = {file, 1, 1};
        return n;
    }
}

void deep_merge(Node& base, const Node& overlay) {
    if (base.is_map() && overlay.is_map()) {
        for (std::size_t i = 0; i < overlay.map.size(); ++i) {
            const auto& [key, value] = overlay.map[i];
            if (Node* existing = base.find(key)) {
                deep_merge(*existing, value);
            } else {
                base.map.push_back({key, value});
                base.key_locs.push_back(overlay.key_locs[i]);
            }
        }
        return;
    }
    base = overlay;
}

}  // namespace hoist::config
