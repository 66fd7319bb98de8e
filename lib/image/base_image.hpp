#pragma once
/// FROM: the image a build starts from — `scratch`, or an image in a registry, pulled by manifest
/// and config (an index resolves to the build platform's entry). The base layers are fetched into
/// the local store only when missing, because `hoist push` uploads (or mounts) every layer from
/// there and COPY needs the base's directory metadata and /etc/passwd (see fs_view.hpp).
#include <string>
#include <vector>

#include "image/fs_view.hpp"
#include "image/image_config.hpp"
#include "oci/image_store.hpp"
#include "oci/manifest.hpp"
#include "registry/credentials.hpp"

namespace hoist::image {

struct RegistryAccess {
    bool insecure = false;       ///< plain HTTP allowed for the pipeline's registry (registry.insecure)
    std::string pipeline_registry;  ///< host[:port] of the pipeline's image
    registry::Credentials pipeline_credentials;  ///< used for that registry; others use config.json

    /// Whether `registry` (host[:port]) may be spoken to over plain HTTP and unverified TLS: only
    /// the pipeline's own registry, and only when the user said so. A `FROM` of any other
    /// registry gets HTTPS, so config.json credentials never cross the network in clear.
    bool insecure_for(const std::string& registry) const { return insecure && registry == pipeline_registry; }
};

struct BaseImage {
    std::string name;  ///< "scratch" or the normalised reference
    bool scratch = true;
    bool docker_media_types = false;  ///< the base uses Docker v2 schema 2 (keep that flavour)
    ImageConfig config;
    std::vector<oci::Descriptor> layers;
    FsView fs;
};

/// Resolves `name` for `platform`. Throws hoist::Error (exit 5) saying which registry answered what.
BaseImage resolve_base(const std::string& name, const oci::Platform& platform, oci::ImageStore& store,
                       const RegistryAccess& access);

}  // namespace hoist::image
