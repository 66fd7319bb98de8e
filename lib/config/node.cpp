#include "config/node.hpp"

#include <yaml-cpp/yaml.h>

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

Node convert(const YAML::Node& y, const std::string& file, Diagnostics& diags, int depth) {
    Node n;
    n.loc = location_of(y.Mark(), file);
    if (depth > 64) {
        diags.error(n.loc, "the document is nested too deeply");
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
            for (const auto& item : y) n.seq.push_back(convert(item, file, diags, depth + 1));
            break;
        case YAML::NodeType::Map:
            n.kind = Node::Kind::map;
            for (const auto& kv : y) {
                Location kloc = location_of(kv.first.Mark(), file);
                if (!kv.first.IsScalar()) {
                    diags.error(kloc, "map keys must be plain words");
                    continue;
                }
                std::string key = kv.first.Scalar();
                if (n.find(key)) {
                    diags.error(kloc, "duplicate key '" + key + "'");
                    continue;
                }
                n.map.push_back({key, convert(kv.second, file, diags, depth + 1)});
                n.key_locs.push_back(kloc);
                // A key with no value ("hosts:") has no mark of its own: point at the key.
                if (!n.map.back().second.loc.known()) n.map.back().second.loc = kloc;
            }
            break;
    }
    return n;
}

}  // namespace

Node parse_yaml(const std::string& text, const std::string& file, Diagnostics& diags) {
    try {
        YAML::Node root = YAML::Load(text);
        Node n = convert(root, file, diags, 0);
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
