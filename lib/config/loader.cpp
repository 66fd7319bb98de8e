#include "config/loader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/schema.hpp"
#include "util/strings.hpp"

namespace hoist::config {

namespace {

/// Interpolates every scalar below `n`; reports unset variables at the scalar that names them.
void interpolate_tree(Node& n, const EnvLookup& env, Diagnostics& diags) {
    switch (n.kind) {
        case Node::Kind::scalar: {
            auto r = interpolate(n.scalar, env);
            for (const auto& name : r.unset)
                diags.error(n.loc, "variable '" + name + "' is not set (give a default with ${" + name + ":-value})");
            for (const auto& e : r.errors) diags.error(n.loc, e);
            if (r.value != n.scalar) n.as_written = n.scalar;
            n.scalar = r.value;
            n.invalid = !r.unset.empty() || !r.errors.empty();
            break;
        }
        case Node::Kind::map:
            for (auto& [_, v] : n.map) interpolate_tree(v, env, diags);
            break;
        case Node::Kind::seq:
            for (auto& v : n.seq) interpolate_tree(v, env, diags);
            break;
        case Node::Kind::null: break;
    }
}

/// Removes `stages` from the document and merges the selected one over the rest.
void apply_stage(Node& root, const LoadOptions& options, Pipeline& p, Diagnostics& diags) {
    Node stages;
    bool found = false;
    for (std::size_t i = 0; i < root.map.size(); ++i) {
        if (root.map[i].first == "stages") {
            stages = root.map[i].second;
            root.map.erase(root.map.begin() + static_cast<long>(i));
            root.key_locs.erase(root.key_locs.begin() + static_cast<long>(i));
            found = true;
            break;
        }
    }
    if (found && !stages.is_null() && !stages.is_map()) {
        diags.error(stages.loc, "'stages' must be a map of stage names to settings, got " + stages.kind_name());
        return;
    }
    for (const auto& [name, _] : stages.map) p.stages.push_back(name);
    if (options.stage.empty()) return;
    const Node* overlay = stages.find(options.stage);
    if (!overlay) {
        std::string msg = "unknown stage '" + options.stage + "'";
        if (auto hint = closest_match(options.stage, p.stages)) msg += " (did you mean '" + *hint + "'?)";
        else if (p.stages.empty()) msg += ": the file defines no stages";
        else msg += "; the file defines: " + join(p.stages, ", ");
        diags.error(found ? stages.loc : Location{p.file, 1, 1}, msg);
        return;
    }
    if (!overlay->is_map() && !overlay->is_null()) {
        diags.error(overlay->loc, "stage '" + options.stage + "' must be a map of settings, got " + overlay->kind_name());
        return;
    }
    if (overlay->find("stages")) diags.error(overlay->loc, "stage '" + options.stage + "' cannot define 'stages'");
    deep_merge(root, *overlay);
}

void restrict_hosts(const LoadOptions& options, Pipeline& p, Diagnostics& diags) {
    p.all_hosts = p.hosts;
    if (options.hosts.empty()) return;
    std::vector<Host> kept;
    for (const auto& want : options.hosts) {
        bool hit = false;
        for (const auto& h : p.hosts) {
            if (h.address == want) {
                kept.push_back(h);
                hit = true;
            }
        }
        if (!hit && !p.discovered_hosts())
            diags.error({p.file, 0, 0}, "--hosts names '" + want + "', which is not a host of this pipeline" +
                                            (options.stage.empty() ? "" : " (stage " + options.stage + ")"));
    }
    if (!p.discovered_hosts()) p.hosts = kept;
}

}  // namespace

LoadResult load_pipeline_text(const std::string& text, const LoadOptions& options) {
    LoadResult result;
    Pipeline& p = result.pipeline;
    Diagnostics& diags = result.diagnostics;
    p.file = options.file;
    p.stage = options.stage;
    auto dir = std::filesystem::path(options.file).parent_path();
    p.directory = dir.empty() ? "." : dir.string();

    Node root = parse_yaml(text, options.file, diags);
    if (diags.has_errors()) return result;
    if (root.is_map()) apply_stage(root, options, p, diags);
    interpolate_tree(root, options.env, diags);
    Reader reader(diags, p.locations);
    read_pipeline(reader, root, p);
    restrict_hosts(options, p, diags);
    diags.sort();
    return result;
}

LoadResult load_pipeline(const LoadOptions& options) {
    std::ifstream in(options.file, std::ios::binary);
    if (!in) {
        LoadResult result;
        result.pipeline.file = options.file;
        std::error_code ec;
        bool exists = std::filesystem::exists(options.file, ec);
        result.diagnostics.error({options.file, 0, 0},
                                 exists ? "cannot read the pipeline file"
                                        : "no pipeline file here (use -f FILE, or 'hoist init' to write one)");
        return result;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return load_pipeline_text(buffer.str(), options);
}

}  // namespace hoist::config
