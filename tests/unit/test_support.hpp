#pragma once
// Helpers shared by unit tests: load a pipeline from text with a fixed environment.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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

/// A directory under /tmp, removed with everything in it at the end of the scope.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "hoist-unit") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        m_path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    /// Writes `text` to `name` in the directory; returns its path.
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(m_path + "/" + name, std::ios::binary) << text;
        return m_path + "/" + name;
    }
    /// The file's bytes, "" when there is none.
    std::string read(const std::string& name) const {
        std::ifstream in(m_path + "/" + name, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }

private:
    std::string m_path;
};

}  // namespace hoist::test
