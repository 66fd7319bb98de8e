#pragma once
/// The image config document a build produces (OCI image config / Docker image JSON): runtime
/// settings under "config", the layer diff IDs under "rootfs", and one "history" entry per
/// instruction. Fields a base image sets and hoist does not touch are carried over unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/shell_words.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"

namespace hoist::image {

/// The default PATH Docker adds to a Linux image that has none.
inline constexpr const char* default_path_env = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

class ImageConfig {
public:
    /// An empty config for `FROM scratch`.
    static ImageConfig scratch(const oci::Platform& platform);
    /// A base image's config; `where` names it in errors.
    static ImageConfig parse(const std::string& bytes, const std::string& where);

    /// The runtime settings object ("config"), created when missing.
    nlohmann::json& run();
    const nlohmann::json& doc() const { return m_doc; }
    nlohmann::json& doc() { return m_doc; }

    /// Sets KEY=value in Env, replacing an existing KEY in place (as Docker does).
    void set_env(const std::string& key, const std::string& value);
    /// Env as variables (for substitution).
    Vars env() const;
    /// Adds the default PATH when Env has none (Docker does this at every FROM).
    void ensure_path();

    void add_layer(const oci::Digest& diff_id);
    std::vector<std::string> diff_ids() const;
    void add_history(const std::string& created_by, bool empty_layer, const std::string& created);

    /// The final JSON bytes: `created` set, keys sorted (nlohmann's default), no whitespace.
    std::string serialize(const std::string& created);

private:
    nlohmann::json m_doc;
};

/// RFC 3339 UTC seconds for a Unix time: 0 -> "1970-01-01T00:00:00Z".
std::string rfc3339_utc(std::int64_t seconds);

/// Parses a Go duration ("30s", "1m30s", "500ms", "1h") to nanoseconds; nullopt when malformed.
std::optional<std::int64_t> parse_go_duration(const std::string& s);

}  // namespace hoist::image
