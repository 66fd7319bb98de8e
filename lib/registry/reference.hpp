#pragma once
/// Image references: "registry.example.com:5000/acme/web:tag" or "...@sha256:...".
///
/// Normalisation follows Docker's: no registry part (the first component has no '.', ':' and is
/// not "localhost") means Docker Hub, whose API host is registry-1.docker.io and whose
/// single-component repositories live under "library/".
#include <string>

namespace hoist::registry {

struct Reference {
    std::string registry;    ///< host[:port] as written (docker.io for Docker Hub)
    std::string repository;  ///< "acme/web"
    std::string tag;         ///< empty when a digest is given and no tag
    std::string digest;      ///< "sha256:..." or empty

    /// Parses a reference; `default_tag` is used when neither tag nor digest is given.
    /// Throws hoist::Error(usage) naming the problem.
    static Reference parse(const std::string& s, const std::string& default_tag = "latest");
    /// The host the API is served on (registry-1.docker.io for docker.io).
    std::string api_host() const;
    /// tag if set, else digest: what goes after /manifests/.
    std::string manifest_ref() const { return digest.empty() ? tag : digest; }
    /// registry/repository[:tag][@digest]
    std::string str() const;
};

}  // namespace hoist::registry
