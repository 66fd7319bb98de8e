#pragma once
// Helpers shared by unit tests: load a pipeline from text with a fixed environment.
#include <map>
#include <string>

#include "config/loader.hpp"

namespace hoist::test {

inline config::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

inline config::LoadResult load(const std::string& text, std::map<std::string, std::string> env = {},
                               const std::string& stage = "", std::vector<std::string> hosts = {}) {
    config::LoadOptions o;
    o.file = "hoist.yml";
    o.stage = stage;
    o.hosts = std::move(hosts);
    o.env = env_of(std::move(env));
    return config::load_pipeline_text(text, o);
}

/// Every diagnostic formatted, one per line.
inline std::string messages(const config::LoadResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics.all()) out += d.format() + "\n";
    return out;
}

}  // namespace hoist::test
