#pragma once
/// Descriptors, image manifests and indexes (OCI image spec 1.1 / Docker v2 schema 2) as values.
///
/// A manifest's digest is the digest of its exact bytes, so hoist never re-serialises a manifest it
/// did not create: `Manifest::parse` keeps the raw bytes it was given and pushing sends those bytes.
/// Manifests hoist creates are serialised once with `dump()` and the result is what gets hashed.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oci/digest.hpp"

namespace hoist::oci {

/// The platform a manifest in an index is for.
struct Platform {
    std::string os = "linux";
    std::string architecture = "amd64";
    std::string variant;
    /// Parses "os/arch[/variant]", e.g. "linux/arm64/v8". Throws hoist::Error(usage) when malformed.
    static Platform parse(const std::string& s);
    std::string str() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }
    /// True when `other` (from an index) can run here: same os and architecture, and same variant
    /// when this platform names one.
    bool matches(const Platform& other) const;
};

/// A content descriptor: what a blob is, its digest and size.
struct Descriptor {
    std::string media_type;
    Digest digest;
    std::int64_t size = 0;
    std::map<std::string, std::string> annotations;
    std::optional<Platform> platform;  ///< only in index entries
};

/// A single-platform image manifest.
struct Manifest {
    std::string media_type;  ///< docker_manifest or oci_manifest
    Descriptor config;
    std::vector<Descriptor> layers;
    std::map<std::string, std::string> annotations;
};

/// A multi-platform index (OCI) or manifest list (Docker).
struct Index {
    std::string media_type;  ///< oci_index or docker_list
    std::vector<Descriptor> manifests;
    std::map<std::string, std::string> annotations;

    /// The entry for `platform`, or nullptr.
    const Descriptor* select(const Platform& platform) const;
};

nlohmann::json to_json(const Descriptor& d);
Descriptor descriptor_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const Manifest& m);
nlohmann::json to_json(const Index& i);

/// Parses a manifest; `where` names it in errors (hoist::Error, exit 5).
Manifest parse_manifest(const std::string& bytes, const std::string& where);
/// Parses an index / manifest list.
Index parse_index(const std::string& bytes, const std::string& where);
/// The media type a manifest document declares (its "mediaType"), or `fallback` when absent.
std::string declared_media_type(const std::string& bytes, const std::string& fallback);

/// Serialises a manifest hoist builds; the returned bytes are what is hashed and pushed.
std::string serialize(const Manifest& m);
std::string serialize(const Index& i);

}  // namespace hoist::oci
